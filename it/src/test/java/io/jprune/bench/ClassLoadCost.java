package io.jprune.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * What whole-application instrumentation costs while classes load: loads (without initialising)
 * every class of every jar and directory of the class path, in a fresh JVM per condition, with no
 * agent, with {@code -javaagent} and no restriction (every class's constant pool is read, every
 * class that calls libtorch is rewritten), and with {@code -javaagent:...=packages=io.jprune.zoo}.
 * Conditions alternate, {@code rounds} times each, and the medians are compared. A harness, not a
 * test: {@code java -cp <it test classpath> io.jprune.bench.ClassLoadCost AGENT_JAR [rounds]}.
 */
public final class ClassLoadCost {
  private ClassLoadCost() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--load")) {
      load();
      return;
    }
    String agent = args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String[][] conditions = {
      {"no agent"},
      {"-javaagent, whole application", "-javaagent:" + agent},
      {"-javaagent, packages=io.jprune.zoo", "-javaagent:" + agent + "=packages=io.jprune.zoo"}
    };
    double[][] ms = new double[conditions.length][rounds];
    String[] counts = new String[conditions.length];
    for (int r = 0; r < rounds; r++) {
      for (int c = 0; c < conditions.length; c++) {
        String[] out = fork(Arrays.copyOfRange(conditions[c], 1, conditions[c].length));
        ms[c][r] = Double.parseDouble(out[0]);
        counts[c] = out[1];
      }
    }
    double base = median(ms[0]);
    for (int c = 0; c < conditions.length; c++) {
      double m = median(ms[c]);
      System.out.printf(
          "%-38s median %7.0f ms (x%.2f), %s%n", conditions[c][0], m, m / base, counts[c]);
    }
  }

  /** In the child: loads every class of the class path; prints ms and what was loaded. */
  private static void load() throws IOException {
    List<String> names = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p)) {
        try (Stream<Path> files = Files.walk(p)) {
          files
              .filter(f -> f.toString().endsWith(".class"))
              .forEach(
                  f ->
                      names.add(
                          className(p.relativize(f).toString().replace(File.separatorChar, '/'))));
        }
      } else if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        try (JarFile jar = new JarFile(p.toFile())) {
          jar.stream()
              .map(JarEntry::getName)
              .filter(n -> n.endsWith(".class") && !n.startsWith("META-INF"))
              .forEach(n -> names.add(className(n)));
        }
      }
    }
    ClassLoader loader = ClassLoadCost.class.getClassLoader();
    int loaded = 0;
    long t0 = System.nanoTime();
    for (String name : names) {
      if (name.endsWith("module-info") || name.endsWith("package-info")) {
        continue;
      }
      try {
        Class.forName(name, false, loader);
        loaded++;
      } catch (ClassNotFoundException | LinkageError e) {
        // optional dependencies of a library that are not on the class path
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.println(
        ms
            + " "
            + loaded
            + " classes loaded of "
            + names.size()
            + ", "
            + io.jprune.agent.JPruneAgent.instrumentedClasses().size()
            + " rewritten, "
            + constantPoolCheck(loader, names));
  }

  /**
   * The agent's constant-pool check alone ({@code LibtorchReferences.mayCall}, by reflection: it is
   * package-private) on every class file, read into memory first: its cost per class.
   */
  private static String constantPoolCheck(ClassLoader loader, List<String> names) {
    List<byte[]> files = new ArrayList<>();
    for (String name : names) {
      try (var in = loader.getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in != null) {
          files.add(in.readAllBytes());
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      java.lang.reflect.Method check =
          Class.forName("io.jprune.agent.LibtorchReferences")
              .getDeclaredMethod("mayCall", byte[].class);
      check.setAccessible(true);
      int candidates = 0;
      long best = Long.MAX_VALUE;
      for (int round = 0; round < 5; round++) {
        candidates = 0;
        long t0 = System.nanoTime();
        for (byte[] f : files) {
          candidates += (Boolean) check.invoke(null, (Object) f) ? 1 : 0;
        }
        best = Math.min(best, System.nanoTime() - t0);
      }
      return String.format(
          "constant-pool check %.1f us per class file (%d files, %d name" + " libtorch or forward)",
          best / 1e3 / files.size(), files.size(), candidates);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String className(String path) {
    return path.substring(0, path.length() - ".class".length()).replace('/', '.');
  }

  private static String[] fork(String... jvmArgs) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(jvmArgs));
    command.addAll(
        List.of(
            "-cp", System.getProperty("java.class.path"), ClassLoadCost.class.getName(), "--load"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("child failed: " + out);
    }
    String last = out.strip().lines().reduce((a, b) -> b).orElseThrow();
    return last.split(" ", 2);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
