package io.jprune.zoo;

import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Pre-norm ViT block: {@code x + attn(norm1(x))}, then {@code x + mlp(norm2(x))}. */
public final class TransformerBlock extends Module {
  private final LayerNormImpl norm1;
  private final Attention attn;
  private final LayerNormImpl norm2;
  private final Mlp mlp;

  TransformerBlock(long dim, long numHeads, long mlpRatio, QkvSplit split) {
    norm1 = register_module("norm1", Layers.layerNorm(dim, VisionTransformer.LN_EPS));
    attn = register_module("attn", new Attention(dim, numHeads, split));
    norm2 = register_module("norm2", Layers.layerNorm(dim, VisionTransformer.LN_EPS));
    mlp = register_module("mlp", new Mlp(dim, dim * mlpRatio, dim));
  }

  public Tensor forward(Tensor x) {
    x = x.add(attn.forward(norm1.forward(x)));
    return x.add(mlp.forward(norm2.forward(x)));
  }
}
