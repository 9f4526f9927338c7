package io.jprune.testmodels.e2e;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** The model the end-to-end child JVMs run. */
public class TinyNet extends Module {
  public final LinearImpl fc = register_module("fc", new LinearImpl(4, 4));

  public Tensor forward(Tensor x) {
    return fc.forward(x).relu().reshape(2, -1);
  }
}
