package io.jprune.zoo;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** YOLOv8 {@code Bottleneck} inside C2f: two 3x3 Conv blocks and an optional shortcut add. */
public final class C2fBottleneck extends Module {
  private final ConvBnAct cv1;
  private final ConvBnAct cv2;
  private final boolean shortcut;

  C2fBottleneck(long channels, boolean shortcut) {
    cv1 = register_module("cv1", new ConvBnAct(channels, channels, 3, 1, Activation.SILU));
    cv2 = register_module("cv2", new ConvBnAct(channels, channels, 3, 1, Activation.SILU));
    this.shortcut = shortcut;
  }

  public Tensor forward(Tensor x) {
    Tensor y = cv2.forward(cv1.forward(x));
    return shortcut ? x.add(y) : y;
  }
}
