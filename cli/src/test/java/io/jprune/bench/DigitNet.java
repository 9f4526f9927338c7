package io.jprune.bench;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.MaxPool2dOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A small zoo-style CNN for 28x28 digits: two conv-BN-ReLU-maxpool stages (32, 64 channels), a
 * 128-unit hidden layer and a 10-way classifier; 421,834 parameters.
 */
public final class DigitNet extends Module {
  private final Conv2dImpl conv1 = register_module("conv1", conv(1, 32));
  private final BatchNorm2dImpl bn1 =
      register_module("bn1", new BatchNorm2dImpl(new BatchNormOptions(32)));
  private final Conv2dImpl conv2 = register_module("conv2", conv(32, 64));
  private final BatchNorm2dImpl bn2 =
      register_module("bn2", new BatchNorm2dImpl(new BatchNormOptions(64)));
  private final ReLUImpl relu = register_module("relu", new ReLUImpl());
  private final MaxPool2dImpl pool =
      register_module("pool", new MaxPool2dImpl(new MaxPool2dOptions(new LongPointer(2L, 2L))));
  private final LinearImpl fc1 = register_module("fc1", new LinearImpl(64 * 7 * 7, 128));
  private final LinearImpl fc2 = register_module("fc2", new LinearImpl(128, 10));

  private static Conv2dImpl conv(long in, long out) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(3L, 3L));
    o.padding().put(new LongPointer(1L, 1L));
    return new Conv2dImpl(o);
  }

  /** Logits [N, 10] of images [N, 1, 28, 28]. */
  public Tensor forward(Tensor x) {
    x = pool.forward(relu.forward(bn1.forward(conv1.forward(x))));
    x = pool.forward(relu.forward(bn2.forward(conv2.forward(x))));
    x = relu.forward(fc1.forward(x.flatten(1, -1)));
    return fc2.forward(x);
  }
}
