package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a new user starts it: {@code java -jar jprune-cli.jar}, no flag, on the JDK
 * that runs this test (CI runs it on JDK 17 and 25). The agent comes in through the manifest's
 * Launcher-Agent-Class, so there is no self-attach to allow and no JVM warning to print.
 */
class CliJarIT {
  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run java(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("jprune.cli.jar"));
    assertTrue(Files.isRegularFile(jar), "no jar at " + jar);
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve("out.log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "jprune hung");
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void versionComesFromTheBuild() throws Exception {
    Run r = java("--version");
    assertEquals(0, r.exit(), r.output());
    assertEquals("jprune " + System.getProperty("jprune.version") + "\n", r.output());
  }

  @Test
  void defaultDemoRunsWithoutFlagOrWarningAndSaysWhatItProvedAndMeasured() throws Exception {
    Run r = java("--runs", "0");
    String jdk = "JDK " + Runtime.version().feature() + ":\n" + r.output();
    assertEquals(0, r.exit(), jdk);
    assertFalse(r.output().contains("WARNING"), jdk);
    assertTrue(
        r.output()
            .contains("VIT_S_SELECT, l2 importance, ratio 0.5, head ratio 0.5, " + "1 step(s)"),
        jdk);
    assertTrue(
        Pattern.compile(
                "\nverify step 1: proven: 16,128 of 16,320 removed channels "
                    + "\\(those reaching no normalisation across channels\\), cut on their own, equal their "
                    + "masked original \\(max\\|diff\\|=[0-9.e+-]+, max\\|out\\|=[0-9.e+-]+, rel\\. tol\\. "
                    + "1e-05\\); measured: the whole step \\(192 channels not proven; LayerNormImpl "
                    + "blocks\\.0\\.norm1 normalises across channels\\) against the unpruned model: rel\\. "
                    + "output error [0-9.e+-]+, top-1 agreement [0-8]/8 \\([0-9.]+%\\) over 8 inputs\n")
            .matcher(r.output())
            .find(),
        jdk);
  }
}
