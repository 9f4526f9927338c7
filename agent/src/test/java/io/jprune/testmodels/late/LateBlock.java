package io.jprune.testmodels.late;

import org.bytedeco.pytorch.Tensor;

/** A block on an abstract base, holding a {@link LateStem}. 2 sites. */
public final class LateBlock extends LateBase {
  private final LateStem inner;

  LateBlock(long width, LateAct act) {
    inner = register_module("inner", new LateStem(width, act));
  }

  @Override
  public Tensor forward(Tensor x) {
    return gate(inner.forward(x)).add(x);
  }
}
