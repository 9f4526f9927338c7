package io.jprune.testmodels.refused;

import org.bytedeco.pytorch.Tensor;

/** Model code whose retransformation a test makes the JVM refuse. */
public final class Refused {
  private Refused() {}

  public static Tensor twice(Tensor x) {
    return x.add(x);
  }
}
