package io.jprune.zoo;

import org.bytedeco.pytorch.GELUImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** timm's transformer {@code Mlp}: {@code fc1} -> GELU ({@code act}) -> {@code fc2}. */
public final class Mlp extends Module {
  private final LinearImpl fc1;
  private final GELUImpl act;
  private final LinearImpl fc2;

  Mlp(long in, long hidden, long out) {
    fc1 = register_module("fc1", Layers.linear(in, hidden));
    act = register_module("act", new GELUImpl());
    fc2 = register_module("fc2", Layers.linear(hidden, out));
  }

  public Tensor forward(Tensor x) {
    return fc2.forward(act.forward(fc1.forward(x)));
  }
}
