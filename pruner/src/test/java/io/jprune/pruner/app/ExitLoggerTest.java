package io.jprune.pruner.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pruning agent's log from a shutdown hook, in a fresh JVM, once java.util.logging has reset
 * itself at exit: what {@link AgentLog#forExitHook()} logs still shows, at the level configured
 * before exit, while a plain {@code System.Logger}'s record is dropped.
 */
class ExitLoggerTest {
  @TempDir Path tmp;

  @Test
  void recordsFromAnExitHookSurviveTheLogManagerReset() throws Exception {
    List<String> lines = run(List.of(), "false");
    assertTrue(lines.contains("root handlers at exit: 0"), String.join("\n", lines));
    assertEquals(
        List.of(
            "INFO: jprune: result from the exit hook",
            "WARNING: jprune: problem from the exit hook"),
        jprune(lines),
        String.join("\n", lines));
  }

  @Test
  void verboseShowsTheDetailsToo() throws Exception {
    List<String> lines = run(List.of(), "true");
    assertEquals(
        List.of(
            "INFO: jprune: detail from the exit hook",
            "INFO: jprune: result from the exit hook",
            "WARNING: jprune: problem from the exit hook"),
        jprune(lines),
        String.join("\n", lines));
  }

  /** The reset sets every level back to INFO: the exit-hook log keeps the configured WARNING. */
  @Test
  void theLevelConfiguredBeforeExitStillApplies() throws Exception {
    Path config = tmp.resolve("logging.properties");
    Files.writeString(
        config,
        "handlers = java.util.logging.ConsoleHandler\n.level = INFO\nio.jprune.agent.level = WARNING\n");
    List<String> lines = run(List.of("-Djava.util.logging.config.file=" + config), "true");
    assertEquals(
        List.of("WARNING: jprune: problem from the exit hook"),
        jprune(lines),
        String.join("\n", lines));
  }

  private static List<String> jprune(List<String> lines) {
    return lines.stream().filter(l -> l.matches("[A-Z]+: jprune: .*")).toList();
  }

  private static List<String> run(List<String> jvmOptions, String verbose) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx64m");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ExitLoggingMain.class.getName());
    cmd.add(verbose);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), out);
    assertEquals(0, p.exitValue(), out);
    return out.lines().toList();
  }
}
