package io.jprune.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Where the {@code jprune} command's memory goes, phase by phase (bench tool, not run by the
 * build). Each report line gives the largest RSS seen since the last one (sampled every 5 ms), the
 * RSS now split into anonymous memory and file pages (the mapped libraries), the Java heap used,
 * committed and resident (its mappings' RSS), and, when the JVM runs with {@code
 * -XX:NativeMemoryTracking=summary}, the JVM's other committed memory (metaspace, code, threads,
 * GC) and the native rest: libtorch's malloc (weights, activations, freed memory glibc keeps).
 *
 * <pre>
 * CP=cli/target/test-classes:cli/target/classes:$(deps of cli, test scope)
 * java -XX:NativeMemoryTracking=summary -cp $CP io.jprune.cli.MemoryPhases ARGS...   # the command
 * java ... io.jprune.cli.MemoryPhases --plain RESNET50         # PlainForward's build and forward
 * java ... io.jprune.cli.MemoryPhases --pruner RESNET50 fc     # Pruner build, plan, step, re-trace
 * java ... io.jprune.cli.MemoryPhases --trace RESNET50         # trace, graph, forwards, collections
 * </pre>
 *
 * <p>{@code -Dmem.histogram=true} adds a class histogram at each phase of the command (a full
 * collection: for what is live, not for the peak); {@code -Dmem.collect=false} and {@code
 * -Dmem.gcAfterBuild=true} switch the collections of the other modes.
 */
public final class MemoryPhases {
  private static final Pattern KB = Pattern.compile("(\\w+):\\s+(\\d+) kB");
  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static volatile long phaseMaxKb;

  private MemoryPhases() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("--pruner")) {
      pruner(io.jprune.zoo.ZooModel.valueOf(args[1]), args[2]);
      return;
    }
    if (args.length == 2 && args[0].equals("--trace")) {
      traceAndGraph(io.jprune.zoo.ZooModel.valueOf(args[1]));
      return;
    }
    if (args.length == 2 && args[0].equals("--plain")) {
      plain(io.jprune.zoo.ZooModel.valueOf(args[1]));
      return;
    }
    startSampler();
    StringBuilder line = new StringBuilder();
    String[] phase = {"start (JVM, classes)"};
    PrintWriter out =
        new PrintWriter(
            new Writer() {
              @Override
              public void write(char[] c, int off, int len) {
                for (int i = off; i < off + len; i++) {
                  if (c[i] == '\n') {
                    String l = line.toString();
                    line.setLength(0);
                    if (l.startsWith("[")) {
                      report(phase[0]);
                      if (Boolean.getBoolean("mem.histogram")) {
                        // forces a full collection: for finding what is live, not for the peak
                        String h = diagnostic("gcClassHistogram", new String[0]);
                        h.lines().limit(14).forEach(System.out::println);
                      }
                      phase[0] = l.replaceAll(" \\([0-9.]+ s\\)$", "");
                    }
                    System.out.println(l);
                  } else {
                    line.append(c[i]);
                  }
                }
              }

              @Override
              public void flush() {}

              @Override
              public void close() {}
            },
            true);
    int rc = JpruneCommand.commandLine().setOut(out).execute(args);
    out.flush();
    report(phase[0] + " .. end");
    System.gc();
    report("after System.gc()");
    System.out.println("exit " + rc);
  }

  /** What {@code io.jprune.bench.PlainForward} does, with a report after each part. */
  private static void plain(io.jprune.zoo.ZooModel zoo) {
    startSampler();
    oneThread();
    report("libtorch loaded");
    org.bytedeco.pytorch.Module model = zoo.create(0);
    org.bytedeco.pytorch.Tensor x = zoo.exampleInput(0);
    report("model built");
    try (org.bytedeco.pytorch.NoGradGuard guard = new org.bytedeco.pytorch.NoGradGuard()) {
      zoo.forward(model, x);
    }
    report("one forward");
  }

  /** Trace and graph alone, each followed by a collection: what they hold and what is garbage. */
  private static void traceAndGraph(io.jprune.zoo.ZooModel zoo) throws InterruptedException {
    startSampler();
    oneThread();
    org.bytedeco.pytorch.Module model = zoo.create(0);
    org.bytedeco.pytorch.Tensor x = zoo.exampleInput(0);
    io.jprune.agent.JPruneAgent.selfAttach(io.jprune.agent.AgentConfig.defaults());
    report("model built, agent attached");
    long[] impl = new long[1];
    io.jprune.tracer.Trace trace =
        io.jprune.tracer.Tracer.trace(
            model,
            () -> {
              org.bytedeco.pytorch.Tensor out = zoo.forward(model, x);
              impl[0] = out.unsafeGetTensorImpl().address();
              return out;
            });
    report("traced");
    collect();
    report("traced, collected");
    io.jprune.tracer.TensorRef out =
        trace.tensors().stream().filter(t -> t.implAddress() == impl[0]).reduce((a, b) -> b).get();
    io.jprune.pruner.graph.DependencyGraph graph =
        io.jprune.pruner.graph.DependencyGraph.build(model, trace, java.util.List.of(out));
    report("graph built (" + graph.groups().size() + " groups)");
    collect();
    report("graph built, collected");
    try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
      zoo.forward(model, x);
      report("forward, unscoped");
      zoo.forward(model, x);
      report("forward, unscoped again");
      try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
        zoo.forward(model, x);
      }
      report("forward, scoped");
      collect();
      report("collected");
      zoo.forward(model, x);
      report("forward, unscoped");
    }
    java.lang.ref.Reference.reachabilityFence(graph);
  }

  /** The pruner's parts one by one: build (trace, graph), scoring and plan, step, re-trace. */
  private static void pruner(io.jprune.zoo.ZooModel zoo, String ignore) {
    startSampler();
    oneThread();
    org.bytedeco.pytorch.Module model = zoo.create(0);
    org.bytedeco.pytorch.Tensor x = zoo.exampleInput(0);
    report("model built");
    io.jprune.pruner.Pruner pruner =
        io.jprune.pruner.Pruner.builder(model)
            .forward(() -> zoo.forward(model, x))
            .importance(io.jprune.pruner.importance.Importances.magnitude(2))
            .ratio(0.5)
            .ignore(ignore)
            .build();
    report("pruner built (trace, graph)");
    if (Boolean.getBoolean("mem.gcAfterBuild")) {
      System.gc();
      report("collected");
    }
    pruner.proposal();
    report("scored and planned");
    pruner.step();
    report("step (scored, planned, cut, forward)");
    pruner.graph();
    report("re-traced");
  }

  private static void collect() throws InterruptedException {
    if (!Boolean.parseBoolean(System.getProperty("mem.collect", "true"))) {
      return;
    }
    System.gc();
    Thread.sleep(300); // JavaCPP's deallocator thread frees what the collection found
  }

  private static void startSampler() {
    Thread sampler = new Thread(MemoryPhases::sample, "rss-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  private static void oneThread() {
    io.jprune.nativeconfig.Libtorch.load();
    io.jprune.nativeconfig.Libtorch.setIntraOpThreads(1);
  }

  private static void sample() {
    while (true) {
      long rss = status().getOrDefault("VmRSS", 0L);
      if (rss > phaseMaxKb) {
        phaseMaxKb = rss;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static synchronized void report(String phase) {
    java.util.Map<String, Long> s = status();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long jvm = nmtCommittedKb();
    long anon = s.getOrDefault("RssAnon", 0L);
    long heapRss = javaHeapRssKb();
    long jvmOther = jvm < 0 ? -1 : jvm - (heap.getCommitted() >> 10);
    System.out.printf(
        Locale.ROOT,
        "MEM %-48s max %5d MB | now %5d MB = anon %5d + file %4d | hwm %5d | heap used %4d"
            + " committed %4d rss %4d | JVM other %s | native %s%n",
        phase.length() > 48 ? phase.substring(0, 48) : phase,
        Math.max(phaseMaxKb, s.getOrDefault("VmRSS", 0L)) / 1024,
        s.getOrDefault("VmRSS", 0L) / 1024,
        anon / 1024,
        s.getOrDefault("RssFile", 0L) / 1024,
        s.getOrDefault("VmHWM", 0L) / 1024,
        heap.getUsed() >> 20,
        heap.getCommitted() >> 20,
        heapRss / 1024,
        jvmOther < 0 ? "-" : String.valueOf(jvmOther / 1024),
        jvmOther < 0 ? "-" : String.valueOf((anon - heapRss - jvmOther) / 1024));
    phaseMaxKb = 0;
  }

  private static final Pattern HEAP_ADDRESS = Pattern.compile("0x([0-9a-f]{8,})");

  /**
   * Resident pages of the Java heap: the mappings inside the lowest and highest address
   * GC.heap_info names (G1 gives the heap's range, the serial collector its generations' bounds).
   */
  private static long javaHeapRssKb() {
    Matcher address = HEAP_ADDRESS.matcher(diagnostic("gcHeapInfo", new String[0]));
    long lo = Long.MAX_VALUE;
    long hi = 0;
    while (address.find()) {
      long a = Long.parseUnsignedLong(address.group(1), 16);
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
    }
    if (hi == 0) {
      return 0;
    }
    long total = 0;
    boolean inside = false;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/smaps"))) {
        int dash = l.indexOf('-');
        int space = l.indexOf(' ');
        if (dash > 0 && space > dash && l.substring(0, dash).matches("[0-9a-f]+")) {
          long start = Long.parseUnsignedLong(l.substring(0, dash), 16);
          inside = start >= lo && start < hi;
        } else if (inside && l.startsWith("Rss:")) {
          Matcher k = KB.matcher(l);
          if (k.matches()) {
            total += Long.parseLong(k.group(2));
          }
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return total;
  }

  private static String diagnostic(String op, String[] args) {
    try {
      return String.valueOf(
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName("com.sun.management:type=DiagnosticCommand"),
                  op,
                  new Object[] {args},
                  new String[] {String[].class.getName()}));
    } catch (Exception e) {
      return "";
    }
  }

  private static java.util.Map<String, Long> status() {
    java.util.Map<String, Long> m = new java.util.HashMap<>();
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        Matcher k = KB.matcher(l);
        if (k.matches()) {
          m.put(k.group(1), Long.parseLong(k.group(2)));
        }
      }
    } catch (IOException e) {
      // not Linux: nothing to report
    }
    return m;
  }

  /** The JVM's own committed memory (NMT summary), or -1 without NMT. */
  private static long nmtCommittedKb() {
    Matcher m = NMT_TOTAL.matcher(diagnostic("vmNativeMemory", new String[] {"summary"}));
    return m.find() ? Long.parseLong(m.group(2)) : -1;
  }
}
