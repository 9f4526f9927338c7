package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * In-process forward latency: median and 90th percentile of timed runs after warm-up runs, under
 * no-grad (inference, as a pruned model is served). Each timed run's native temporaries are freed
 * by a {@link PointerScope} so long runs do not grow memory; the first warm-up run is outside any
 * scope so that state a model caches on its first call stays alive.
 *
 * @param medianMs median wall time of one forward, in milliseconds
 * @param p90Ms 90th percentile (nearest rank), in milliseconds
 * @param iterations timed runs
 */
public record Latency(double medianMs, double p90Ms, int iterations) {
  /** Checks {@code 1 <= iterations} and {@code 0 <= median <= p90}. */
  public Latency {
    checkArgument(iterations >= 1, "iterations must be >= 1, got %s", iterations);
    checkArgument(
        medianMs >= 0 && p90Ms >= medianMs,
        "need 0 <= median <= p90, got %s and %s",
        medianMs,
        p90Ms);
  }

  /**
   * Times {@code forward}.
   *
   * @param forward one inference, e.g. {@code () -> model.forward(x)}
   * @param warmup untimed runs first (JIT, allocator, thread pool)
   * @param iterations timed runs, at least 1
   */
  public static Latency measure(Supplier<Tensor> forward, int warmup, int iterations) {
    return measure(forward, warmup, iterations, false);
  }

  /**
   * Times {@code forward} of a model that has run before (state it creates on its first call
   * exists): every run, the first warm-up too, frees its temporaries when it returns. The unscoped
   * first warm-up of {@link #measure} kept a whole forward's activations alive until the next
   * collection while the scoped runs after it took fresh memory: about 110 MB more peak RSS for
   * ResNet-50.
   *
   * @param forward one inference, e.g. {@code () -> model.forward(x)}
   * @param warmup untimed runs first (JIT, allocator, thread pool)
   * @param iterations timed runs, at least 1
   */
  public static Latency measureWarm(Supplier<Tensor> forward, int warmup, int iterations) {
    return measure(forward, warmup, iterations, true);
  }

  private static Latency measure(
      Supplier<Tensor> forward, int warmup, int iterations, boolean warm) {
    checkNotNull(forward, "forward");
    checkArgument(warmup >= 0, "warmup must be >= 0, got %s", warmup);
    checkArgument(iterations >= 1, "iterations must be >= 1, got %s", iterations);
    try (NoGradGuard guard = new NoGradGuard()) {
      for (int i = 0; i < warmup; i++) {
        if (i == 0 && !warm) {
          forward.get();
        } else {
          // later warm-ups free their temporaries too: each unscoped ResNet-50 forward left
          // about 100 MB of native garbage until the next collection (the CLI's peak RSS)
          try (PointerScope scope = new PointerScope()) {
            forward.get();
          }
        }
      }
      double[] ms = new double[iterations];
      for (int i = 0; i < iterations; i++) {
        try (PointerScope scope = new PointerScope()) {
          long t0 = System.nanoTime();
          forward.get();
          ms[i] = (System.nanoTime() - t0) / 1e6;
        }
      }
      return of(ms);
    }
  }

  /** Median and nearest-rank 90th percentile of measured times (ms). */
  public static Latency of(double... millis) {
    checkArgument(millis.length >= 1, "no timings");
    double[] s = millis.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    double p90 = s[(int) Math.ceil(0.9 * n) - 1];
    return new Latency(median, Math.max(p90, median), n);
  }

  /** How many times faster {@code after} is than this, by median. */
  public double speedUp(Latency after) {
    checkNotNull(after, "after");
    return medianMs / after.medianMs;
  }

  @Override
  public String toString() {
    return String.format("median %.2f ms, p90 %.2f ms (%d runs)", medianMs, p90Ms, iterations);
  }
}
