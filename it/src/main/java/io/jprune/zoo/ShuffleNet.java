package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A small ShuffleNetV2 for 64x64 inputs: conv 3->24 stride 2 + BN-ReLU ({@code conv1}), max pool,
 * {@code stage2} (24->48: one stride-2 unit and two split units), {@code stage3} (48->96: one
 * stride-2 and one split unit), {@code conv5} 1x1 96->256, spatial mean and a 10-way {@code fc}.
 * Stages are {@code ModuleList}s looped from Java.
 */
public final class ShuffleNet extends Module {
  private final ConvBnAct conv1;
  private final MaxPool2dImpl maxpool;
  private final List<ShuffleUnit> stage2 = new ArrayList<>();
  private final List<ShuffleUnit> stage3 = new ArrayList<>();
  private final ConvBnAct conv5;
  private final LinearImpl fc;

  public ShuffleNet(long numClasses) {
    conv1 = register_module("conv1", new ConvBnAct(3, 24, 3, 2, Activation.RELU));
    maxpool = register_module("maxpool", Layers.maxPool2d(3, 2, 1));
    stage(stage2, "stage2", 24, 48, 3);
    stage(stage3, "stage3", 48, 96, 2);
    conv5 = register_module("conv5", new ConvBnAct(96, 256, 1, 1, Activation.RELU));
    fc = register_module("fc", Layers.linear(256, numClasses));
  }

  private void stage(List<ShuffleUnit> units, String name, long in, long out, int count) {
    ModuleListImpl list = register_module(name, new ModuleListImpl());
    for (int i = 0; i < count; i++) {
      ShuffleUnit unit = i == 0 ? new ShuffleUnit(in, out, 2) : new ShuffleUnit(out, out, 1);
      list.push_back(unit);
      units.add(unit);
    }
  }

  public Tensor forward(Tensor x) {
    x = maxpool.forward(conv1.forward(x));
    for (ShuffleUnit unit : stage2) {
      x = unit.forward(x);
    }
    for (ShuffleUnit unit : stage3) {
      x = unit.forward(x);
    }
    x = conv5.forward(x);
    return fc.forward(x.mean(2, 3));
  }
}
