package io.jprune.zoo;

import org.bytedeco.pytorch.AdaptiveAvgPool2dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * torchvision's ResNet with the same registered names ({@code conv1}, {@code bn1}, {@code relu},
 * {@code maxpool}, {@code layer1..4}, {@code avgpool}, {@code fc}) and parameter counts, so results
 * can be compared with Torch-Pruning's on the Python model.
 */
public final class ResNet extends Module {
  private final Conv2dImpl conv1;
  private final BatchNorm2dImpl bn1;
  private final ReLUImpl relu;
  private final MaxPool2dImpl maxpool;
  private final ResNetStage layer1;
  private final ResNetStage layer2;
  private final ResNetStage layer3;
  private final ResNetStage layer4;
  private final AdaptiveAvgPool2dImpl avgpool;
  private final LinearImpl fc;

  private ResNet(ResNetStage.BlockFactory block, long expansion, int[] layers, long numClasses) {
    conv1 = register_module("conv1", Layers.conv2d(3, 64, 7, 2, 3, false));
    bn1 = register_module("bn1", Layers.batchNorm2d(64));
    relu = register_module("relu", new ReLUImpl());
    maxpool = register_module("maxpool", Layers.maxPool2d(3, 2, 1));
    layer1 = register_module("layer1", new ResNetStage(block, 64, 64, expansion, layers[0], 1));
    layer2 =
        register_module(
            "layer2", new ResNetStage(block, 64 * expansion, 128, expansion, layers[1], 2));
    layer3 =
        register_module(
            "layer3", new ResNetStage(block, 128 * expansion, 256, expansion, layers[2], 2));
    layer4 =
        register_module(
            "layer4", new ResNetStage(block, 256 * expansion, 512, expansion, layers[3], 2));
    avgpool = register_module("avgpool", Layers.globalAvgPool2d());
    fc = register_module("fc", Layers.linear(512 * expansion, numClasses));
  }

  /** ResNet-18: basic blocks [2, 2, 2, 2], 11,689,512 parameters. */
  public static ResNet resnet18() {
    return new ResNet(BasicBlock::new, BasicBlock.EXPANSION, new int[] {2, 2, 2, 2}, 1000);
  }

  /** ResNet-50: bottleneck blocks [3, 4, 6, 3], 25,557,032 parameters. */
  public static ResNet resnet50() {
    return new ResNet(Bottleneck::new, Bottleneck.EXPANSION, new int[] {3, 4, 6, 3}, 1000);
  }

  public Tensor forward(Tensor x) {
    x = maxpool.forward(relu.forward(bn1.forward(conv1.forward(x))));
    x = layer1.forward(x);
    x = layer2.forward(x);
    x = layer3.forward(x);
    x = layer4.forward(x);
    x = avgpool.forward(x).flatten(1, -1);
    return fc.forward(x);
  }
}
