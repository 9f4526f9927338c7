package io.jprune.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One run of an application under test in a fresh JVM, started as its users start it: its own
 * classes and the bytedeco jars on the class path (no jprune), optionally {@code
 * -javaagent:jprune-agent.jar=ARGS}, one libtorch thread.
 *
 * @param exitCode the JVM's exit status
 * @param output stdout and stderr, interleaved
 */
record AppRun(int exitCode, String output) {
  private static final Pattern LOSS =
      Pattern.compile("^batch (\\d+) loss ([0-9.]+)$", Pattern.MULTILINE);
  private static final Pattern ACCURACY =
      Pattern.compile("^test accuracy ([0-9.]+)$", Pattern.MULTILINE);

  /** The pruning agent jar (pruner/target/jprune-agent.jar). */
  static String agentJar() {
    String jar = System.getProperty("jprune.pruning.agent.jar");
    assertTrue(
        jar != null && new File(jar).isFile(),
        "failsafe passes -Djprune.pruning.agent.jar"
            + " (the pruner module's package phase builds it): "
            + jar);
    return jar;
  }

  /** The class path of the application: test classes and the bytedeco jars only. */
  static String appClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(
            e ->
                e.endsWith("test-classes")
                    || e.contains(File.separator + "bytedeco" + File.separator)
                    || e.contains("/org/bytedeco/"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The command line starting {@code mainClass} with the agent (null args: without it). */
  static List<String> command(String agentArgs, String mainClass, String... args) {
    return command(List.of(), agentArgs, mainClass, args);
  }

  /** The same, with JVM options of the application's own ({@code -D...}) before the class. */
  static List<String> command(
      List<String> jvmOptions, String agentArgs, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (agentArgs != null) {
      cmd.add("-javaagent:" + agentJar() + "=" + agentArgs);
    }
    cmd.addAll(jvmOptions);
    cmd.add("-Xmx512m");
    cmd.add("-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64"));
    cmd.add("-cp");
    cmd.add(appClassPath());
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  static ProcessBuilder builder(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    return pb;
  }

  /** Runs to completion (at most 5 minutes). */
  static AppRun run(String agentArgs, String mainClass, String... args)
      throws IOException, InterruptedException {
    return run0(command(agentArgs, mainClass, args));
  }

  /** Runs a command line to completion (at most 5 minutes). */
  static AppRun run0(List<String> command) throws IOException, InterruptedException {
    Process p = builder(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the application did not end:\n" + out);
    return new AppRun(p.exitValue(), out);
  }

  /** The printed mean losses by batch. */
  Map<Integer, Double> losses() {
    Map<Integer, Double> out = new TreeMap<>();
    Matcher m = LOSS.matcher(output);
    while (m.find()) {
      out.put(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /** The printed test accuracy. */
  double accuracy() {
    Matcher m = ACCURACY.matcher(output);
    assertTrue(m.find(), "no test accuracy printed:\n" + output);
    return Double.parseDouble(m.group(1));
  }

  /**
   * The messages of the pruning agent's log records, as java.util.logging's default format prints
   * them ({@code INFO: jprune: pruned ...}; the line above each, with the time and the logger, is
   * left out).
   */
  List<String> jpruneLines() {
    return output.lines().filter(l -> JPRUNE_RECORD.matcher(l).lookingAt()).toList();
  }

  private static final Pattern JPRUNE_RECORD = Pattern.compile("[A-Z]+: jprune: ");
}
