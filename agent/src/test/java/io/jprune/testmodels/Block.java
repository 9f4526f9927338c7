package io.jprune.testmodels;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** A Java submodule with a built-in child. */
public class Block extends Module {
  public final LinearImpl proj = register_module("proj", new LinearImpl(8, 8));

  public Tensor forward(Tensor x) {
    return torch.tanh(proj.forward(x)).add(x); // @blockbody
  }
}
