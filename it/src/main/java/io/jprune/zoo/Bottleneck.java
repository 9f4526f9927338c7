package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * torchvision's {@code Bottleneck} (ResNet V1.5: the stride sits on the 3x3 conv): 1x1 reduce, 3x3,
 * 1x1 expand by 4, residual add.
 */
public final class Bottleneck extends ResidualBlock {
  static final long EXPANSION = 4;

  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl bn1;
  private final Conv2dImpl conv2;
  private final BatchNorm2dImpl bn2;
  private final Conv2dImpl conv3;
  private final BatchNorm2dImpl bn3;
  private final ReLUImpl relu;
  private final SequentialImpl downsample;

  /** Java objects of the native Sequential's children (see {@link Layers#held}). */
  private final java.util.List<org.bytedeco.pytorch.Module> held = new java.util.ArrayList<>();

  Bottleneck(long inplanes, long planes, long stride) {
    long width = planes;
    conv1 = register_module("conv1", Layers.conv2d(inplanes, width, 1, 1, 0, false));
    bn1 = register_module("bn1", Layers.batchNorm2d(width));
    conv2 = register_module("conv2", Layers.conv2d(width, width, 3, stride, 1, false));
    bn2 = register_module("bn2", Layers.batchNorm2d(width));
    conv3 = register_module("conv3", Layers.conv2d(width, planes * EXPANSION, 1, 1, 0, false));
    bn3 = register_module("bn3", Layers.batchNorm2d(planes * EXPANSION));
    relu = register_module("relu", new ReLUImpl());
    downsample = ResNetStage.downsampleIfNeeded(this, held, inplanes, planes * EXPANSION, stride);
  }

  @Override
  public Tensor forward(Tensor x) {
    Tensor identity = x;
    Tensor out = relu.forward(bn1.forward(conv1.forward(x)));
    out = relu.forward(bn2.forward(conv2.forward(out)));
    out = bn3.forward(conv3.forward(out));
    if (downsample != null) {
      identity = downsample.forward(x);
    }
    out.add_(identity);
    return relu.forward(out);
  }
}
