package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A two-block DenseNet (growth 32, bottleneck width 4 x 32, as DenseNet-121) small enough for
 * tests: stem conv 3->64 + BN-ReLU + 2x2 max pool, dense block of 4 layers (64->192), transition to
 * 96 channels, dense block of 4 layers (96->224), BN-ReLU, global average pool and a 10-way
 * classifier. Names follow torchvision's {@code features.*} without the prefix.
 */
public final class DenseNetStack extends Module {
  static final long GROWTH = 32;
  static final long BN_SIZE = 4;
  static final int LAYERS_PER_BLOCK = 4;

  private final Conv2dImpl conv0;
  private final BatchNorm2dImpl norm0;
  private final ReLUImpl relu0;
  private final MaxPool2dImpl pool0;
  private final DenseBlock denseblock1;
  private final Transition transition1;
  private final DenseBlock denseblock2;
  private final BatchNorm2dImpl norm5;
  private final ReLUImpl relu5;
  private final LinearImpl classifier;

  public DenseNetStack(long numClasses) {
    long c = 64;
    conv0 = register_module("conv0", Layers.conv2d(3, c, 3, 1, 1, false));
    norm0 = register_module("norm0", Layers.batchNorm2d(c));
    relu0 = register_module("relu0", new ReLUImpl());
    pool0 = register_module("pool0", Layers.maxPool2d(2, 2, 0));
    denseblock1 =
        register_module("denseblock1", new DenseBlock(LAYERS_PER_BLOCK, c, GROWTH, BN_SIZE));
    c = DenseBlock.outChannels(LAYERS_PER_BLOCK, c, GROWTH);
    transition1 = register_module("transition1", new Transition(c, c / 2));
    c = c / 2;
    denseblock2 =
        register_module("denseblock2", new DenseBlock(LAYERS_PER_BLOCK, c, GROWTH, BN_SIZE));
    c = DenseBlock.outChannels(LAYERS_PER_BLOCK, c, GROWTH);
    norm5 = register_module("norm5", Layers.batchNorm2d(c));
    relu5 = register_module("relu5", new ReLUImpl());
    classifier = register_module("classifier", Layers.linear(c, numClasses));
  }

  public Tensor forward(Tensor x) {
    x = pool0.forward(relu0.forward(norm0.forward(conv0.forward(x))));
    x = transition1.forward(denseblock1.forward(x));
    x = relu5.forward(norm5.forward(denseblock2.forward(x)));
    return classifier.forward(x.mean(2, 3));
  }
}
