package io.jprune.zoo;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A YOLOv8-style backbone for 64x64 inputs: Conv 3->16 s2, Conv 16->32 s2, C2f(32, n=1), Conv
 * 32->64 s2, C2f(64, n=2), then a classify head (Conv 1x1 64->128, spatial mean, Linear to 10).
 * Conv = conv + BN + SiLU.
 */
public final class C2fNet extends Module {
  private final ConvBnAct stem;
  private final ConvBnAct down1;
  private final C2f c2f1;
  private final ConvBnAct down2;
  private final C2f c2f2;
  private final ConvBnAct headConv;
  private final LinearImpl fc;

  public C2fNet(long numClasses) {
    stem = register_module("stem", new ConvBnAct(3, 16, 3, 2, Activation.SILU));
    down1 = register_module("down1", new ConvBnAct(16, 32, 3, 2, Activation.SILU));
    c2f1 = register_module("c2f1", new C2f(32, 32, 1, true));
    down2 = register_module("down2", new ConvBnAct(32, 64, 3, 2, Activation.SILU));
    c2f2 = register_module("c2f2", new C2f(64, 64, 2, true));
    headConv = register_module("head_conv", new ConvBnAct(64, 128, 1, 1, Activation.SILU));
    fc = register_module("fc", Layers.linear(128, numClasses));
  }

  public Tensor forward(Tensor x) {
    x = down1.forward(stem.forward(x));
    x = c2f1.forward(x);
    x = c2f2.forward(down2.forward(x));
    x = headConv.forward(x);
    return fc.forward(x.mean(2, 3));
  }
}
