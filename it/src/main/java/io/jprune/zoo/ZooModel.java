package io.jprune.zoo;

import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The model zoo: models written the way Java users write libtorch models (Java subclasses of {@code
 * Module} with a Java {@code forward}), each with a seeded example input. The root forward is
 * called from {@link #forward}, inside {@code io.jprune.zoo}, so an agent instrumenting this
 * package records it.
 */
public enum ZooModel {
  RESNET18(
      "torchvision ResNet-18; 11,689,512 params; input [1,3,224,224] -> [1,1000]",
      ResNet::resnet18,
      () -> torch.randn(1, 3, 224, 224)),
  RESNET50(
      "torchvision ResNet-50 (V1.5); 25,557,032 params; input [1,3,224,224] -> [1,1000]",
      ResNet::resnet50,
      () -> torch.randn(1, 3, 224, 224)),
  MOBILENET_V2(
      "torchvision MobileNetV2, width 1.0 (depthwise convs, ReLU6); 3,504,872 params;"
          + " input [1,3,224,224] -> [1,1000]",
      () -> new MobileNetV2(1000),
      () -> torch.randn(1, 3, 224, 224)),
  DENSENET_STACK(
      "two DenseNet blocks of 4 layers (growth 32, torch.cat), one transition;"
          + " 453,450 params; input [1,3,64,64] -> [1,10]",
      () -> new DenseNetStack(10),
      () -> torch.randn(1, 3, 64, 64)),
  VIT_S_SELECT(
      "DINO ViT-S/16, q/k/v by three select(0, i); 22,050,664 params;"
          + " input [1,3,224,224] -> [1,1000]",
      () -> new VisionTransformer(QkvSplit.SELECT, 1000),
      () -> torch.randn(1, 3, 224, 224)),
  VIT_S_UNBIND(
      "DINO ViT-S/16, q/k/v by unbind(0); 22,050,664 params;" + " input [1,3,224,224] -> [1,1000]",
      () -> new VisionTransformer(QkvSplit.UNBIND, 1000),
      () -> torch.randn(1, 3, 224, 224)),
  VIT_S_MHA(
      "torchvision ViT layout at ViT-S/16 size, libtorch MultiheadAttentionImpl and"
          + " Linear MLPs; 22,050,664 params; input [1,3,224,224] -> [1,1000]",
      () -> new TorchvisionVit(1000),
      () -> torch.randn(1, 3, 224, 224)),
  ESPCN(
      "ESPCN x3 with functional torch.pixel_shuffle(x, 3) and a refine conv after it;"
          + " 41,009 params; input [1,1,32,32] -> [1,1,96,96]",
      () -> new Espcn(false),
      () -> torch.randn(1, 1, 32, 32)),
  ESPCN_MODULE(
      "ESPCN x3 with a registered PixelShuffleImpl(3) and a refine conv after it;"
          + " 41,009 params; input [1,1,32,32] -> [1,1,96,96]",
      () -> new Espcn(true),
      () -> torch.randn(1, 1, 32, 32)),
  ESPCN_UNSHUFFLE(
      "conv, pixel_unshuffle(2), convs on the 4x channels, pixel_shuffle(2) back;"
          + " 5,284 params; input [1,1,32,32] -> [1,1,32,32]",
      EspcnUnshuffle::new,
      () -> torch.randn(1, 1, 32, 32)),
  UNET(
      "two-level UNet, ConvTranspose2d upsampling and skip torch.cat; 57,154 params;"
          + " input [1,3,64,64] -> [1,2,64,64]",
      () -> new UNet(3, 2),
      () -> torch.randn(1, 3, 64, 64)),
  SHUFFLENET(
      "small ShuffleNetV2 (chunk split, channel shuffle view/transpose/view,"
          + " depthwise convs); 47,362 params; input [1,3,64,64] -> [1,10]",
      () -> new ShuffleNet(10),
      () -> torch.randn(1, 3, 64, 64)),
  C2F(
      "YOLOv8-style backbone with two C2f blocks (chunk + cat); 90,458 params;"
          + " input [1,3,64,64] -> [1,10]",
      () -> new C2fNet(10),
      () -> torch.randn(1, 3, 64, 64)),
  GROUPNORM_GROUPED(
      "grouped convs (groups 4) with GroupNorm(8, C) and residuals;"
          + " 29,738 params; input [1,3,32,32] -> [1,10]",
      () -> new GroupedConvNet(10),
      () -> torch.randn(1, 3, 32, 32)),
  TEXT_EMBED(
      "Embedding(1000, 64) + LayerNorm + residual GELU MLP, token mean, Linear(64, 10);"
          + " 97,866 params; input int64 ids [2,16] -> [2,10]",
      () -> new TextClassifier(10),
      () -> torch.randint(TextClassifier.VOCAB, new long[] {2, 16}));

  private final String description;
  private final Supplier<Module> factory;
  private final Supplier<Tensor> input;

  ZooModel(String description, Supplier<Module> factory, Supplier<Tensor> input) {
    this.description = description;
    this.factory = factory;
    this.input = input;
  }

  /**
   * Builds the model after {@code torch.manual_seed(seed)}, gives its norm layers seeded
   * non-trivial statistics, and puts it in eval mode so repeated forwards agree.
   */
  public Module create(long seed) {
    torch.manual_seed(seed);
    Module model = factory.get();
    SeededNorms.randomize(model);
    model.eval();
    return model;
  }

  /** A seeded example input (batch 1, except TEXT_EMBED's [2, 16] token ids). */
  public Tensor exampleInput(long seed) {
    torch.manual_seed(seed);
    return input.get();
  }

  /** Calls the concrete model class's Java {@code forward}. */
  public Tensor forward(Module model, Tensor x) {
    return switch (this) {
      case RESNET18, RESNET50 -> ((ResNet) model).forward(x);
      case MOBILENET_V2 -> ((MobileNetV2) model).forward(x);
      case DENSENET_STACK -> ((DenseNetStack) model).forward(x);
      case VIT_S_SELECT, VIT_S_UNBIND -> ((VisionTransformer) model).forward(x);
      case VIT_S_MHA -> ((TorchvisionVit) model).forward(x);
      case ESPCN, ESPCN_MODULE -> ((Espcn) model).forward(x);
      case ESPCN_UNSHUFFLE -> ((EspcnUnshuffle) model).forward(x);
      case UNET -> ((UNet) model).forward(x);
      case SHUFFLENET -> ((ShuffleNet) model).forward(x);
      case C2F -> ((C2fNet) model).forward(x);
      case GROUPNORM_GROUPED -> ((GroupedConvNet) model).forward(x);
      case TEXT_EMBED -> ((TextClassifier) model).forward(x);
    };
  }

  /** What the model is, its parameter count and its input and output shapes. */
  public String description() {
    return description;
  }
}
