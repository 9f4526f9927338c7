package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * torchvision's {@code BasicBlock} (ResNet-18/34): two 3x3 convs with a residual add; the shared
 * {@code relu} module is called twice, as in torchvision.
 */
public final class BasicBlock extends ResidualBlock {
  static final long EXPANSION = 1;

  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl bn1;
  private final ReLUImpl relu;
  private final Conv2dImpl conv2;
  private final BatchNorm2dImpl bn2;
  private final SequentialImpl downsample;

  /** Java objects of the native Sequential's children (see {@link Layers#held}). */
  private final java.util.List<org.bytedeco.pytorch.Module> held = new java.util.ArrayList<>();

  BasicBlock(long inplanes, long planes, long stride) {
    conv1 = register_module("conv1", Layers.conv2d(inplanes, planes, 3, stride, 1, false));
    bn1 = register_module("bn1", Layers.batchNorm2d(planes));
    relu = register_module("relu", new ReLUImpl());
    conv2 = register_module("conv2", Layers.conv2d(planes, planes, 3, 1, 1, false));
    bn2 = register_module("bn2", Layers.batchNorm2d(planes));
    downsample = ResNetStage.downsampleIfNeeded(this, held, inplanes, planes * EXPANSION, stride);
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor identity = x;
    Tensor out = relu.forward(bn1.forward(conv1.forward(x)));
    out = bn2.forward(conv2.forward(out));
    if (downsample != null) {
      identity = downsample.forward(x);
    }
    out.add_(identity);
    return relu.forward(out);
  }
}
