package io.jprune.testmodels.late;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** The model built and run before the agent is attached (the zoo's RESNET18 role). 2 sites. */
public final class EarlyNet extends Module {
  private final LinearImpl fc = register_module("fc", new LinearImpl(8, 8));

  public Tensor forward(Tensor x) {
    return fc.forward(x).relu();
  }
}
