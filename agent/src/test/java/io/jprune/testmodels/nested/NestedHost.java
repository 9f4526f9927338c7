package io.jprune.testmodels.nested;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A model class whose loading makes another transformer of the same agent load {@link NestedLoaded}
 * from inside the transformation. 1 site.
 */
public final class NestedHost extends Module {
  public Tensor forward(Tensor x) {
    return x.tanh();
  }
}
