package io.jprune.zoo;

import org.bytedeco.pytorch.AvgPool2dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/** torchvision's DenseNet {@code _Transition}: BN, ReLU, 1x1 conv, 2x2 average pool. */
public final class Transition extends Module {
  private final BatchNorm2dImpl norm;
  private final ReLUImpl relu;
  private final Conv2dImpl conv;
  private final AvgPool2dImpl pool;

  Transition(long in, long out) {
    norm = register_module("norm", Layers.batchNorm2d(in));
    relu = register_module("relu", new ReLUImpl());
    conv = register_module("conv", Layers.conv2d(in, out, 1, 1, 0, false));
    pool = register_module("pool", Layers.avgPool2d(2));
  }

  public Tensor forward(Tensor x) {
    return pool.forward(conv.forward(relu.forward(norm.forward(x))));
  }
}
