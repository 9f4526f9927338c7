package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.ConvTranspose2dImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * A two-level UNet: encoder conv-BN-ReLU stages (3->16, 16->32) with 2x2 max pools, a 32->64
 * bottleneck, decoder stages that upsample with a stride-2 {@code ConvTranspose2d} and {@code
 * torch.cat} the encoder features on dim 1 (so encoder channels feed two consumers), and a final
 * 1x1 conv to 2 classes.
 */
public final class UNet extends Module {
  private final ConvBnAct enc1;
  private final MaxPool2dImpl pool1;
  private final ConvBnAct enc2;
  private final MaxPool2dImpl pool2;
  private final ConvBnAct bottleneck;
  private final ConvTranspose2dImpl up2;
  private final ConvBnAct dec2;
  private final ConvTranspose2dImpl up1;
  private final ConvBnAct dec1;
  private final Conv2dImpl head;

  public UNet(long inChannels, long numClasses) {
    enc1 = register_module("enc1", new ConvBnAct(inChannels, 16, 3, 1, Activation.RELU));
    pool1 = register_module("pool1", Layers.maxPool2d(2, 2, 0));
    enc2 = register_module("enc2", new ConvBnAct(16, 32, 3, 1, Activation.RELU));
    pool2 = register_module("pool2", Layers.maxPool2d(2, 2, 0));
    bottleneck = register_module("bottleneck", new ConvBnAct(32, 64, 3, 1, Activation.RELU));
    up2 = register_module("up2", Layers.convTranspose2d(64, 32, 2, 2));
    dec2 = register_module("dec2", new ConvBnAct(32 + 32, 32, 3, 1, Activation.RELU));
    up1 = register_module("up1", Layers.convTranspose2d(32, 16, 2, 2));
    dec1 = register_module("dec1", new ConvBnAct(16 + 16, 16, 3, 1, Activation.RELU));
    head = register_module("head", Layers.conv2d(16, numClasses, 1, 1, 0, true));
  }

  public Tensor forward(Tensor x) {
    Tensor e1 = enc1.forward(x);
    Tensor e2 = enc2.forward(pool1.forward(e1));
    Tensor b = bottleneck.forward(pool2.forward(e2));
    Tensor d2 = dec2.forward(torch.cat(new TensorVector(up2.forward(b), e2), 1));
    Tensor d1 = dec1.forward(torch.cat(new TensorVector(up1.forward(d2), e1), 1));
    return head.forward(d1);
  }
}
