package com.example.ops;

import org.bytedeco.pytorch.Tensor;

/** Tensor helpers a model calls from another package (none of them is a Module). */
public final class Ops {
  private Ops() {}

  /** Shifts the feature map one pixel right and down, wrapping around. */
  public static Tensor shift(Tensor x) {
    return x.roll(new long[] {1, 1}, 2, 3); // roll-site
  }

  /** Running sum over the channels: every channel reads all the ones before it. */
  public static Tensor runningSum(Tensor x) {
    return x.cumsum(1); // cumsum-site
  }
}
