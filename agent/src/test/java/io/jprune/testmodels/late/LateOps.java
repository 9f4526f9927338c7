package io.jprune.testmodels.late;

import org.bytedeco.pytorch.Tensor;

/** A helper first loaded from inside {@link LateNet#forward}, while it runs. 1 site. */
final class LateOps {
  private LateOps() {}

  static Tensor finish(Tensor x) {
    return x.neg();
  }
}
