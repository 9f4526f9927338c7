package io.jprune.testmodels.late;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** An abstract base module: a helper with sites of its own and an abstract forward. 2 sites. */
public abstract class LateBase extends Module {
  protected Tensor gate(Tensor x) {
    return torch.sigmoid(x).mul(x);
  }

  public abstract Tensor forward(Tensor x);
}
