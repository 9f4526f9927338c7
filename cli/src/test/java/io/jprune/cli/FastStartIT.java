package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast start the build wrote beside the shaded jar (see {@link FastStart}): the archive is one
 * this JDK maps for this jar ({@code -Xshare:on} refuses to start otherwise), and the launcher
 * prunes with it, with no JVM warning.
 */
class FastStartIT {
  @TempDir Path dir;

  private static final Path JAR = Path.of(System.getProperty("jprune.cli.jar"));
  private static final String JAVA_HOME = System.getProperty("java.home");

  private record Run(int exit, String output) {}

  private Run run(List<String> command) throws Exception {
    Path log = dir.resolve("out.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", JAVA_HOME);
    Process p = pb.redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(600, TimeUnit.SECONDS), "hung: " + command);
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void archiveIsOneThisJdkMapsForTheJar() throws Exception {
    Path archive = JAR.resolveSibling(FastStart.ARCHIVE);
    assertTrue(Files.isRegularFile(archive), "no archive at " + archive);
    Run r =
        run(
            List.of(
                Path.of(JAVA_HOME, "bin", "java").toString(),
                "-Xshare:on",
                "-XX:SharedArchiveFile=" + archive,
                "-jar",
                JAR.toString(),
                "--version"));
    assertEquals(0, r.exit(), r.output());
    assertEquals("jprune " + System.getProperty("jprune.version") + "\n", r.output());
  }

  @Test
  void launcherPrunesWithoutWarning() throws Exception {
    Path launcher = JAR.resolveSibling(FastStart.LAUNCHER);
    assertTrue(Files.isExecutable(launcher), "no launcher at " + launcher);
    Run r = run(List.of(launcher.toString(), "--model", "ESPCN", "--runs", "0", "--threads", "1"));
    assertEquals(0, r.exit(), r.output());
    assertTrue(
        r.output().contains("ESPCN, l2 importance, ratio 0.5, head ratio 0.5, 1 step(s)"),
        r.output());
    assertTrue(r.output().contains("\nverify step 1: proven: all 52 removed channels"), r.output());
    assertFalse(r.output().toLowerCase(java.util.Locale.ROOT).contains("warning"), r.output());
  }
}
