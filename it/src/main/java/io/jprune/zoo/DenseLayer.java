package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * torchvision's {@code _DenseLayer}: BN-ReLU-Conv1x1 (to {@code bnSize * growth}) then
 * BN-ReLU-Conv3x3 (to {@code growth}); the caller concatenates the result with its inputs.
 */
public final class DenseLayer extends Module {
  private final BatchNorm2dImpl norm1;
  private final ReLUImpl relu1;
  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl norm2;
  private final ReLUImpl relu2;
  private final Conv2dImpl conv2;

  DenseLayer(long in, long growth, long bnSize) {
    norm1 = register_module("norm1", Layers.batchNorm2d(in));
    relu1 = register_module("relu1", new ReLUImpl());
    conv1 = register_module("conv1", Layers.conv2d(in, bnSize * growth, 1, 1, 0, false));
    norm2 = register_module("norm2", Layers.batchNorm2d(bnSize * growth));
    relu2 = register_module("relu2", new ReLUImpl());
    conv2 = register_module("conv2", Layers.conv2d(bnSize * growth, growth, 3, 1, 1, false));
  }

  public Tensor forward(Tensor x) {
    Tensor bottleneck = conv1.forward(relu1.forward(norm1.forward(x)));
    return conv2.forward(relu2.forward(norm2.forward(bottleneck)));
  }
}
