package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import io.jprune.tracer.Tracer;
import io.jprune.zoo.ZooModel;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The zoo facts through self-attach in a plain JUnit JVM (no -javaagent flag), and outputs that are
 * bit-identical without any agent (a child JVM), with the agent idle, and while tracing.
 */
class SelfAttachTraceTest extends ZooTraceFacts {
  private static final Map<String, String> NO_AGENT = new HashMap<>();

  @BeforeAll
  static void attachAndComputeReferences() throws Exception {
    assertFalse(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(a -> a.startsWith("-javaagent:")),
        "this test must self-attach");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                new File(System.getProperty("java.home"), "bin/java").getPath(),
                "-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64"),
                "-cp",
                System.getProperty("java.class.path"),
                OutputDigest.class.getName()));
    for (ZooModel zoo : ZooModel.values()) {
      command.add(zoo.name());
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length == 2 && parts[1].length() == 64) {
          NO_AGENT.put(parts[0], parts[1]);
        }
      }
    }
    assertEquals(0, p.waitFor(), "the no-agent JVM failed");
    JPruneAgent.selfAttach(AgentConfig.builder().addPackage("io.jprune.zoo").build());
  }

  @ParameterizedTest
  @EnumSource(ZooModel.class)
  void outputsAreBitIdenticalWithoutAgentIdleAndTracing(ZooModel zoo) {
    assertEquals(NO_AGENT.get(zoo.name()), OutputDigest.of(zoo), zoo + ": agent idle");
    Module model = zoo.create(SEED);
    Tensor input = zoo.exampleInput(SEED);
    Tensor[] traced = new Tensor[1];
    Tracer.trace(model, () -> traced[0] = zoo.forward(model, input));
    assertEquals(NO_AGENT.get(zoo.name()), OutputDigest.of(traced[0]), zoo + ": tracing");
  }
}
