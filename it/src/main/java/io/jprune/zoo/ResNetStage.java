package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * One {@code layerN} of a ResNet: blocks registered as {@code "0"}, {@code "1"}, ... and run in
 * order from Java, which is what torchvision's {@code nn.Sequential} of blocks becomes when the
 * blocks are Java modules.
 */
public final class ResNetStage extends Module {
  /** Builds a block of a given kind; the first one of a stage carries the stride. */
  interface BlockFactory {
    ResidualBlock create(long inplanes, long planes, long stride);
  }

  private final List<ResidualBlock> blocks = new ArrayList<>();

  ResNetStage(
      BlockFactory factory, long inplanes, long planes, long expansion, int count, long stride) {
    for (int i = 0; i < count; i++) {
      ResidualBlock block =
          i == 0
              ? factory.create(inplanes, planes, stride)
              : factory.create(planes * expansion, planes, 1);
      blocks.add(register_module(String.valueOf(i), block));
    }
  }

  public Tensor forward(Tensor x) {
    for (ResidualBlock block : blocks) {
      x = block.forward(x);
    }
    return x;
  }

  /**
   * torchvision's projection shortcut, registered on {@code block} as {@code downsample}: a native
   * {@code Sequential(conv1x1, BatchNorm2d)} when the shape changes, else null.
   */
  static SequentialImpl downsampleIfNeeded(
      Module block, List<Module> held, long inplanes, long outplanes, long stride) {
    if (stride == 1 && inplanes == outplanes) {
      return null;
    }
    SequentialImpl downsample = new SequentialImpl();
    downsample.push_back(
        Layers.held(held, Layers.conv2d(inplanes, outplanes, 1, stride, 0, false)));
    downsample.push_back(Layers.held(held, Layers.batchNorm2d(outplanes)));
    return block.register_module("downsample", downsample);
  }
}
