package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.tracer.site.Sites;
import org.junit.jupiter.api.BeforeAll;

/** The zoo facts in a JVM started with {@code -javaagent:jprune-agent.jar} (see it/pom.xml). */
class AgentTraceIT extends ZooTraceFacts {
  @BeforeAll
  static void agentIsThere() {
    assertTrue(
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(a -> a.startsWith("-javaagent:") && a.contains("jprune-agent")),
        "this IT must run with the real -javaagent");
    io.jprune.zoo.ZooModel.RESNET18.create(1); // loads a zoo class: sites get registered
    assertTrue(Sites.all().size() > 0, "the agent rewrote no call site");
  }
}
