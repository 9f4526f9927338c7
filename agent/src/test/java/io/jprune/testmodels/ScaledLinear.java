package io.jprune.testmodels;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;

/** A Java subclass of a built-in calling {@code super.forward}, which must stay untraced. */
public class ScaledLinear extends LinearImpl {
  public ScaledLinear(long in, long out) {
    super(in, out);
  }

  @Override
  public Tensor forward(Tensor x) {
    return super.forward(x).mul(x); // @super
  }
}
