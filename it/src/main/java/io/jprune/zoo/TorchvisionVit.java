package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * torchvision's {@code vit_b_16} layout at ViT-S/16 size (hidden 384, 6 heads, MLP 1536, 12 layers,
 * 224x224; 22,050,664 parameters with the 1000-way head): {@code conv_proj}, {@code class_token},
 * {@code encoder} ({@code pos_embedding}, {@code layers} of {@link EncoderBlock} with libtorch's
 * {@code MultiheadAttentionImpl}, {@code ln}) and {@code heads}. Patches are flattened with {@code
 * reshape(n, hidden, -1)} as torchvision does.
 */
public final class TorchvisionVit extends Module {
  static final long IMAGE = 224;
  static final long PATCH = 16;
  static final long HIDDEN = 384;
  static final long LAYERS = 12;
  static final long HEADS = 6;
  static final long MLP = 1536;

  private final Conv2dImpl convProj;
  private final Tensor classToken;
  private final TorchvisionEncoder encoder;
  private final LinearImpl heads;

  public TorchvisionVit(long numClasses) {
    convProj = register_module("conv_proj", Layers.conv2d(3, HIDDEN, PATCH, PATCH, 0, true));
    // torchvision starts the class token at zeros; a small seeded normal keeps it non-trivial.
    classToken =
        new Tensor(
            register_parameter("class_token", torch.randn(1, 1, HIDDEN).mul(new Scalar(0.02))));
    long tokens = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
    encoder =
        register_module("encoder", new TorchvisionEncoder(tokens, LAYERS, HEADS, HIDDEN, MLP));
    heads = register_module("heads", Layers.linear(HIDDEN, numClasses));
  }

  public Tensor forward(Tensor x) {
    long n = x.size(0);
    Tensor patches = convProj.forward(x).reshape(n, HIDDEN, -1).permute(0, 2, 1);
    Tensor tokens = torch.cat(new TensorVector(classToken.expand(n, -1, -1), patches), 1);
    return heads.forward(encoder.forward(tokens).select(1, 0));
  }
}
