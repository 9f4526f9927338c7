package io.jprune.testmodels.functional;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Plain functional helpers: not a Module, instrumented only when its package is configured. */
public final class Functional {
  private Functional() {}

  public static Tensor swish(Tensor x) {
    return x.mul(torch.sigmoid(x)); // @swish
  }
}
