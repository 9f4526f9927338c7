package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shaded agent jar as users run it, in child JVMs whose class path has none of the jars it
 * bundles (tracer, ByteBuddy, Guava, Gson): {@code -javaagent} (premain), attach from inside the
 * running JVM (agentmain), and {@code JPruneAgent.selfAttach} from the jar. Each writes the {@code
 * trace=} JSON and {@code dot=} files at exit.
 */
class AgentJarIT {
  private static final String APP = "io.jprune.testmodels.e2e.E2eApp";
  private static final List<String> BUNDLED =
      List.of(
          "jprune-agent",
          "agent/target/classes",
          "jprune-tracer",
          "tracer/target/classes",
          "jprune-native-config",
          "native-config/target/classes",
          "byte-buddy",
          "guava",
          "failureaccess",
          "gson");

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"premain", "agentmain", "selfattach"})
  void traceIsWrittenAtExit(String mode) throws Exception {
    Path jar = Path.of(System.getProperty("jprune.agent.jar"));
    assertTrue(Files.isRegularFile(jar), "no agent jar at " + jar);
    Path json = dir.resolve("trace.json");
    Path dot = dir.resolve("trace.dot");
    String agentArgs = "packages=io.jprune.testmodels.e2e;trace=" + json + ";dot=" + dot;

    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64")));
    command.addAll(readmeFlags(mode, Runtime.version().feature()));
    String classPath = childClassPath();
    if (mode.equals("premain")) {
      command.add("-javaagent:" + jar + "=" + agentArgs);
    } else if (mode.equals("selfattach")) {
      classPath = jar + File.pathSeparator + classPath;
    }
    command.addAll(List.of("-cp", classPath, APP, mode, jar.toString(), agentArgs));
    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM hung");
    String output = Files.readString(log);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("result 2"), output);
    assertFalse(
        output.contains("WARNING:"),
        "a JVM warning with the README's flags for JDK "
            + Runtime.version().feature()
            + " ("
            + mode
            + "):\n"
            + output);
    assertFalse(output.contains("could not instrument"), output);
    // Quiet by default: nothing logged at INFO or above (a failed write would fail the
    // trace-writer thread); the files are checked below.
    assertFalse(
        output.contains("INFO:")
            || output.contains("WARNING:")
            || output.contains("jprune-trace-writer"),
        output);

    JsonObject trace =
        JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals("io.jprune.testmodels.e2e.TinyNet", trace.get("root").getAsString());
    JsonArray calls = trace.getAsJsonArray("calls");
    List<String> ops =
        stream(calls)
            .map(c -> c.getAsJsonObject().get("op").getAsString())
            .collect(Collectors.toList());
    assertEquals(
        List.of("TinyNet.forward", "LinearImpl.forward", "Tensor.relu", "Tensor.reshape"),
        ops,
        output);
    for (JsonElement c : calls) {
      JsonObject site = c.getAsJsonObject().getAsJsonObject("site");
      assertTrue(site.get("line").getAsInt() > 0, site.toString());
    }
    assertTrue(Files.readString(dot).startsWith("digraph"), "not a DOT file: " + dot);
  }

  /**
   * The flags the README gives an application for each way of bringing the agent in, on this JDK:
   * attach needs allowAttachSelf, JDK 21+ warns about dynamically loaded agents without
   * EnableDynamicAgentLoading (JEP 451), JDK 24+ about JavaCPP's loadLibrary without native access
   * (JEP 472).
   */
  static List<String> readmeFlags(String mode, int jdk) {
    List<String> flags = new ArrayList<>();
    if (!mode.equals("premain")) {
      flags.add("-Djdk.attach.allowAttachSelf=true");
      if (jdk >= 21) {
        flags.add("-XX:+EnableDynamicAgentLoading");
      }
    }
    if (jdk >= 24) {
      flags.add("--enable-native-access=ALL-UNNAMED");
    }
    return flags;
  }

  private static Stream<JsonElement> stream(JsonArray array) {
    List<JsonElement> out = new ArrayList<>();
    array.forEach(out::add);
    return out.stream();
  }

  /** This JVM's test class path without anything the agent jar bundles. */
  static String childClassPath() {
    String full =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Stream.of(full.split(File.pathSeparator))
        .filter(entry -> BUNDLED.stream().noneMatch(b -> entry.replace('\\', '/').contains(b)))
        .collect(Collectors.joining(File.pathSeparator));
  }
}
