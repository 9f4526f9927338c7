package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -javaagent} with the shaded jar, every model class loaded after premain (the zoo's loading
 * pattern, see {@code LateApp}): each is instrumented at load time with its own site count, none
 * needs a late repair, and a trace sees every call.
 */
class LateLoadingPremainIT {
  private static final String LATE = "io.jprune.testmodels.late";

  @TempDir Path dir;

  @Test
  void everyModelClassLoadedAfterPremainIsInstrumented() throws Exception {
    Path jar = Path.of(System.getProperty("jprune.agent.jar"));
    assertTrue(Files.isRegularFile(jar), "no agent jar at " + jar);
    Path log = dir.resolve("child.log");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64"),
                    "-javaagent:" + jar + "=packages=" + LATE,
                    "-cp",
                    AgentJarIT.childClassPath(),
                    "io.jprune.testmodels.lateapp.LateApp"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM hung");
    String output = Files.readString(log);
    assertEquals(0, child.exitValue(), output);

    Map<String, Integer> instrumented = new TreeMap<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("instrumented " + LATE + ".")) {
        String[] parts = line.split(" ");
        instrumented.put(parts[1].substring(LATE.length() + 1), Integer.parseInt(parts[2]));
      }
    }
    // LateAct and LateStem$1 name no libtorch member: the agent passes them over.
    assertEquals(
        new TreeMap<>(
            Map.of(
                "EarlyNet",
                2,
                "LateZoo",
                2,
                "LateNet",
                2,
                "LateStem",
                4,
                "LateBase",
                2,
                "LateBlock",
                2,
                "LateOps",
                1)),
        instrumented,
        output);
    assertTrue(output.contains("calls 18"), output);
    assertTrue(output.contains("failures []"), output);
    assertFalse(output.contains("could not instrument"), output);
    assertFalse(output.contains(" late: "), output);
  }
}
