package io.jprune.cli;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Writes the fast start of the jprune command next to its jar (the build does, in {@code
 * cli/target}): {@code jprune-cli.jsa}, a class-data archive (AppCDS) of the classes a prune loads,
 * made by and for the JDK that runs this, and {@code jprune}, a launcher script that runs the jar
 * with it and with {@link #JVM_OPTIONS}. Run it again after changing JDK: another JDK ignores the
 * archive (and the launcher tells the JVM not to say so).
 *
 * <pre>
 * java -cp cli/target/jprune-cli.jar io.jprune.cli.FastStart [JAR]
 * </pre>
 *
 * <p>The archive is made from the classes one small prune loads ({@code -XX:DumpLoadedClassList},
 * then {@code -Xshare:dump}), not with {@code -XX:ArchiveClassesAtExit}: on JDK 17.0.15 the dynamic
 * dump crashes in a JVM whose classes the agent retransformed.
 */
public final class FastStart {
  /** The archive's file name, beside the jar. */
  public static final String ARCHIVE = "jprune-cli.jsa";

  /** The launcher's file name, beside the jar. */
  public static final String LAUNCHER = "jprune";

  /**
   * JVM options of the launcher, measured on a cold ResNet-18 prune (process CPU time, 2 cores
   * under load, medians of 3): C1 only, since C2 compiles code a single prune soon leaves (11.1 s
   * CPU with C2, 6.4 s without); the serial collector, for memory: no CPU difference measurable
   * (6.4 s either way), but G1's default heap grew to 300-500 MB of touched pages under the graph's
   * allocation (see the README's Memory section).
   */
  public static final ImmutableList<String> JVM_OPTIONS =
      ImmutableList.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /**
   * The training prune: small, verified and timed once, so that the verification and latency
   * classes are archived too.
   */
  private static final ImmutableList<String> TRAINING =
      ImmutableList.of("--model", "ESPCN", "--runs", "1", "--threads", "1");

  private FastStart() {}

  /** Writes the archive and the launcher beside {@code args[0]}, or beside the running jar. */
  public static void main(String[] args) throws IOException, InterruptedException {
    Path jar = args.length > 0 ? Path.of(args[0]) : runningJar();
    write(jar.toAbsolutePath());
    System.out.println(
        "wrote " + jar.resolveSibling(ARCHIVE) + " and " + jar.resolveSibling(LAUNCHER));
  }

  /**
   * Writes {@link #ARCHIVE} and {@link #LAUNCHER} beside {@code jar}.
   *
   * @throws IllegalStateException when the training prune or the dump fails (with its output)
   */
  static void write(Path jar) throws IOException, InterruptedException {
    checkArgument(Files.isRegularFile(jar), "no jar at %s", jar);
    Path dir = jar.getParent();
    Path list = dir.resolve("jprune-cli.classlist");
    Path archive = dir.resolve(ARCHIVE);
    List<String> training = new ArrayList<>(List.of(java()));
    training.addAll(JVM_OPTIONS);
    training.addAll(List.of("-XX:DumpLoadedClassList=" + list, "-jar", jar.toString()));
    training.addAll(TRAINING);
    run(training, dir);
    Files.write(list, archivable(Files.readAllLines(list)), StandardCharsets.UTF_8);
    Files.deleteIfExists(archive);
    run(
        List.of(
            java(),
            "-Xshare:dump",
            "-XX:SharedClassListFile=" + list,
            "-XX:SharedArchiveFile=" + archive,
            "-cp",
            jar.toString()),
        dir);
    Files.delete(list);
    Path launcher = dir.resolve(LAUNCHER);
    Files.writeString(launcher, launcher(jar.getFileName().toString()), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /**
   * The class list without the method-handle species classes the JVM generates: archived, such a
   * class crashes JDK 17.0.15 when it is loaded while a class file transformer (the agent) is
   * installed (SIGSEGV in {@code KlassFactory::check_shared_class_file_load_hook}).
   */
  static List<String> archivable(List<String> classList) {
    return classList.stream()
        .filter(line -> !line.contains("BoundMethodHandle$Species_"))
        .collect(Collectors.toList());
  }

  /** The launcher script for the jar named {@code jarName} in the script's directory. */
  static String launcher(String jarName) {
    return "#!/bin/sh\n"
        + "# jprune with a fast start: java -jar "
        + jarName
        + " with the class-data archive made for it\n"
        + "# by the JDK that built it (another JDK ignores it) and "
        + String.join(" ", JVM_OPTIONS)
        + ".\n"
        + "# Written by io.jprune.cli.FastStart; run that again after changing JDK.\n"
        + "here=$(dirname \"$0\")\n"
        + "exec \"${JAVA_HOME:+$JAVA_HOME/bin/}java\" "
        + String.join(" ", JVM_OPTIONS)
        + " -XX:SharedArchiveFile=\"$here/"
        + ARCHIVE
        + "\" -Xlog:cds=off \\\n"
        + "  -jar \"$here/"
        + jarName
        + "\" \"$@\"\n";
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void run(List<String> command, Path dir) throws IOException, InterruptedException {
    Path log = Files.createTempFile("jprune-fast-start", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after 10 minutes: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "exit " + p.exitValue() + ": " + command + "\n" + Files.readString(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static Path runningJar() {
    try {
      return Path.of(FastStart.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot tell which jar this runs from", e);
    }
  }
}
