package io.jprune.testmodels;

import org.bytedeco.pytorch.Tensor;

/** Its bridge method re-dispatches to forward(Tensor); only the caller's site may record it. */
public class EchoBlock extends TypedBlock<Tensor> {
  @Override
  public Tensor forward(Tensor x) {
    return x.relu(); // @echo
  }
}
