package io.jprune.testmodels;

import io.jprune.testmodels.functional.Functional;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Calls a plain helper class that is model code only once its package is configured. */
public class UsesHelper extends Module {
  public final LinearImpl fc = register_module("fc", new LinearImpl(4, 4));

  public Tensor forward(Tensor x) {
    return Functional.swish(fc.forward(x));
  }
}
