package io.jprune.testmodels;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Declares the forward that {@link DerivedBlock} inherits. */
public class BaseBlock extends Module {
  public Tensor forward(Tensor x) {
    return x.mul(x); // @inherited
  }
}
