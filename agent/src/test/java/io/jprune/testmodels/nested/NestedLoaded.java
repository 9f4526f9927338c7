package io.jprune.testmodels.nested;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Loaded from inside the transformation of {@link NestedHost}. 2 sites. */
public final class NestedLoaded extends Module {
  public Tensor forward(Tensor x) {
    return x.relu().add(x);
  }
}
