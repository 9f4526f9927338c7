package io.jprune.testmodels.nested;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Loaded from inside the transformation of a class that is not model code ({@code
 * io.jprune.testmodels.plain.SyncTrigger}), so no rewrite follows it. 1 site.
 */
public final class SyncLoaded extends Module {
  public Tensor forward(Tensor x) {
    return x.sigmoid();
  }
}
