package io.jprune.agent;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.testmodels.bench.HotLoop;
import io.jprune.testmodels.bench.TinyNet;
import io.jprune.testmodels.twin.TwinHotLoop;
import io.jprune.testmodels.twin.TwinTinyNet;
import io.jprune.tracer.TraceSession;
import io.jprune.tracer.site.SiteInterceptor;
import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.Sites;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * What a rewritten call site costs, measured in one JVM run (not a test: timings are noise on a
 * shared CI machine). {@link HotLoop} is instrumented; {@link TwinHotLoop}, the same code in a
 * package the agent does not touch, is the baseline. Rounds alternate between the two so drift hits
 * both; the median of the rounds is reported.
 *
 * <pre>
 * mvn -q -pl agent test-compile exec:exec@overhead-benchmark
 * </pre>
 */
public final class OverheadBenchmark {
  private static final int ROUNDS = 9;
  private static final int SIZE_CALLS = 2_000_000;
  private static final int ADD_CALLS = 50_000;
  private static final int RECORDED_CALLS = 20_000;
  private static final int FORWARDS = 2_000;
  private static final int FORWARD_ROUNDS = 41;
  private static volatile long sink;

  private OverheadBenchmark() {}

  public static void main(String[] args) {
    Libtorch.load();
    Tensor x = torch.ones(4, 4);
    Tensor y = torch.ones(4, 4);
    print(
        "JVM "
            + System.getProperty("java.vm.version")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores; ns per call, median of "
            + ROUNDS
            + " rounds");

    compare(
        "x.size(0), before attach",
        () -> TwinHotLoop.sizes(x, SIZE_CALLS),
        () -> HotLoop.sizes(x, SIZE_CALLS),
        SIZE_CALLS);

    long start = System.nanoTime();
    JPruneAgent.selfAttach(AgentConfig.builder().addPackageOf(HotLoop.class).build());
    print(
        String.format(
            Locale.ROOT,
            "self-attach + retransform: %.0f ms; %s rewritten",
            (System.nanoTime() - start) / 1e6,
            JPruneAgent.instrumentedClasses()));

    compare(
        "x.size(0), idle site",
        () -> TwinHotLoop.sizes(x, SIZE_CALLS),
        () -> HotLoop.sizes(x, SIZE_CALLS),
        SIZE_CALLS);
    compare(
        "x.add(y), idle site",
        () -> TwinHotLoop.adds(x, y, ADD_CALLS),
        () -> HotLoop.adds(x, y, ADD_CALLS),
        ADD_CALLS);

    forwardsOfATinyModel(x.reshape(1, -1).narrow(1, 0, 8).clone());

    AtomicLong counted = new AtomicLong();
    SiteInterceptor counting =
        (site, callArgs, proceed) -> {
          counted.incrementAndGet();
          return proceed.invoke(callArgs);
        };
    double countingNs = whileIntercepting(counting, () -> HotLoop.sizes(x, SIZE_CALLS), SIZE_CALLS);
    double baseline = median(() -> TwinHotLoop.sizes(x, SIZE_CALLS), SIZE_CALLS);
    report("x.size(0), counting interceptor", baseline, countingNs);

    Module root = new Module();
    double recordingNs =
        median(
            () -> {
              try (TraceSession session = TraceSession.start(root)) {
                long sum = HotLoop.sizes(x, RECORDED_CALLS);
                session.finish();
                return sum;
              }
            },
            RECORDED_CALLS);
    report("x.size(0), TraceSession recording", baseline, recordingNs);
    double recordingAdd =
        median(
            () -> {
              try (TraceSession session = TraceSession.start(root)) {
                long sum = HotLoop.adds(x, y, RECORDED_CALLS / 4);
                session.finish();
                return sum;
              }
            },
            RECORDED_CALLS / 4);
    report(
        "x.add(y), TraceSession recording",
        median(() -> TwinHotLoop.adds(x, y, RECORDED_CALLS / 4), RECORDED_CALLS / 4),
        recordingAdd);
  }

  /**
   * A tiny model's forward (Linear, a Java block, two reshapes; some 15 us) per call: idle (no
   * model has rewrites), while another instance of the class has rewrites (the entry hooks and the
   * Java forward calls keep track of the running model), and with a rewrite of its own (an
   * identity, so the work is the same) at one reshape site.
   */
  private static void forwardsOfATinyModel(Tensor x) {
    TinyNet net = new TinyNet();
    TwinTinyNet twin = new TwinTinyNet();
    TinyNet.Passthrough pass = new TinyNet.Passthrough();
    TwinTinyNet.TwinPassthrough twinPass = new TwinTinyNet.TwinPassthrough();
    compare(
        "empty Java forward, idle",
        () -> TwinTinyNet.passes(twinPass, x, SIZE_CALLS),
        () -> TinyNet.passes(pass, x, SIZE_CALLS),
        SIZE_CALLS);
    compare(
        "tiny forward, idle",
        () -> TwinTinyNet.forwards(twin, x, FORWARDS),
        () -> TinyNet.forwards(net, x, FORWARDS),
        FORWARDS,
        FORWARD_ROUNDS);
    SiteKey reshape =
        Sites.all().stream()
            .filter(
                s ->
                    s.key().className().equals(TinyNet.class.getName())
                        && s.targetName().equals("reshape"))
            .findFirst()
            .orElseThrow()
            .key();
    TinyNet other = new TinyNet();
    WeakReference<TinyNet> otherRef = new WeakReference<>(other);
    Sites.rewritesFor(other, m -> m == otherRef.get()).put(reshape, args -> args);
    compare(
        "empty Java forward, other model rewritten",
        () -> TwinTinyNet.passes(twinPass, x, SIZE_CALLS),
        () -> TinyNet.passes(pass, x, SIZE_CALLS),
        SIZE_CALLS);
    compare(
        "tiny forward, other model rewritten",
        () -> TwinTinyNet.forwards(twin, x, FORWARDS),
        () -> TinyNet.forwards(net, x, FORWARDS),
        FORWARDS,
        FORWARD_ROUNDS);
    WeakReference<TinyNet> netRef = new WeakReference<>(net);
    Sites.rewritesFor(net, m -> m == netRef.get()).put(reshape, args -> args);
    compare(
        "tiny forward, own rewrite",
        () -> TwinTinyNet.forwards(twin, x, FORWARDS),
        () -> TinyNet.forwards(net, x, FORWARDS),
        FORWARDS,
        FORWARD_ROUNDS);
    Reference.reachabilityFence(other);
  }

  private static void compare(
      String what, LongSupplier twin, LongSupplier instrumented, int calls) {
    compare(what, twin, instrumented, calls, ROUNDS);
  }

  private static void compare(
      String what, LongSupplier twin, LongSupplier instrumented, int calls, int rounds) {
    double[] a = new double[rounds];
    double[] b = new double[rounds];
    for (int warm = 0; warm < 3; warm++) {
      sink += twin.getAsLong() + instrumented.getAsLong();
    }
    for (int r = 0; r < rounds; r++) {
      a[r] = time(twin, calls);
      b[r] = time(instrumented, calls);
    }
    report(what, median(a), median(b));
  }

  private static double whileIntercepting(
      SiteInterceptor interceptor, LongSupplier run, int calls) {
    Sites.intercept(interceptor);
    try {
      return median(run, calls);
    } finally {
      Sites.stopIntercepting();
    }
  }

  private static double median(LongSupplier run, int calls) {
    for (int warm = 0; warm < 3; warm++) {
      sink += run.getAsLong();
    }
    double[] t = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      t[r] = time(run, calls);
    }
    return median(t);
  }

  private static double time(LongSupplier run, int calls) {
    long start = System.nanoTime();
    sink += run.getAsLong();
    return (System.nanoTime() - start) / (double) calls;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void report(String what, double baselineNs, double measuredNs) {
    print(
        String.format(
            Locale.ROOT,
            "%-42s twin %8.1f  HotLoop %8.1f  " + "ratio %5.2f  (%+.1f ns/call)",
            what,
            baselineNs,
            measuredNs,
            measuredNs / baselineNs,
            measuredNs - baselineNs));
  }

  private static void print(String line) {
    System.out.println(line);
  }
}
