package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLU6Impl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SiLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * Conv (no bias) + BatchNorm + activation with children {@code conv}, {@code bn}, {@code act}: the
 * YOLOv8 {@code Conv} block, and the shape of torchvision's {@code Conv2dNormActivation}. Padding
 * is {@code kernel / 2} so stride 1 keeps the spatial size.
 */
public final class ConvBnAct extends Module {
  private final Conv2dImpl conv;
  private final BatchNorm2dImpl bn;
  private final Activation activation;
  private final Module act;

  ConvBnAct(long in, long out, long kernel, long stride, long groups, Activation activation) {
    this.conv =
        register_module("conv", Layers.conv2d(in, out, kernel, stride, kernel / 2, groups, false));
    this.bn = register_module("bn", Layers.batchNorm2d(out));
    this.activation = activation;
    this.act = register_module("act", activation.create());
  }

  ConvBnAct(long in, long out, long kernel, long stride, Activation activation) {
    this(in, out, kernel, stride, 1, activation);
  }

  public Tensor forward(Tensor x) {
    Tensor y = bn.forward(conv.forward(x));
    return switch (activation) {
      case RELU -> ((ReLUImpl) act).forward(y);
      case RELU6 -> ((ReLU6Impl) act).forward(y);
      case SILU -> ((SiLUImpl) act).forward(y);
    };
  }
}
