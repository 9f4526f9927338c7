package io.jprune.testmodels.bench;

import org.bytedeco.pytorch.Tensor;

/** Instrumented (its package is configured by the benchmark). */
public final class HotLoop {
  private HotLoop() {}

  /** n calls of a cheap op (~0.1 us through JNI). */
  public static long sizes(Tensor x, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += x.size(0);
    }
    return sum;
  }

  /** n calls of a small allocating op (a few us); each result is freed at once. */
  public static long adds(Tensor x, Tensor y, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      Tensor z = x.add(y);
      sum += z.address() & 1;
      z.close();
    }
    return sum;
  }
}
