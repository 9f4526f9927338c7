package io.jprune.pruner.save;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** One Linear of a chosen width: small for a good save, large to fill a disk or be killed. */
public final class Wide extends Module {
  private final LinearImpl fc;

  public Wide(long width, long seed) {
    torch.manual_seed(seed);
    fc = register_module("fc", new LinearImpl(width, width));
  }

  public Tensor forward(Tensor x) {
    return fc.forward(x);
  }
}
