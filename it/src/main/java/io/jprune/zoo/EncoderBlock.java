package io.jprune.zoo;

import org.bytedeco.pytorch.GELUImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.MultiheadAttentionImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * torchvision's ViT {@code EncoderBlock} on [N, L, E]: {@code x + self_attention(ln_1(x))}, then
 * {@code x + mlp(ln_2(x))}. libtorch's attention has no {@code batch_first}, so the block
 * transposes to [L, N, E] around it, and asks for no attention weights, as torchvision does.
 */
public final class EncoderBlock extends Module {
  static final double LN_EPS = 1e-6;

  private final LayerNormImpl ln1;
  private final MultiheadAttentionImpl selfAttention;
  private final LayerNormImpl ln2;
  private final LinearImpl linear1;
  private final GELUImpl act;
  private final LinearImpl linear2;

  EncoderBlock(long hidden, long heads, long mlp) {
    ln1 = register_module("ln_1", Layers.layerNorm(hidden, LN_EPS));
    selfAttention = register_module("self_attention", new MultiheadAttentionImpl(hidden, heads));
    ln2 = register_module("ln_2", Layers.layerNorm(hidden, LN_EPS));
    linear1 = register_module("mlp_0", Layers.linear(hidden, mlp));
    act = register_module("mlp_1", new GELUImpl());
    linear2 = register_module("mlp_3", Layers.linear(mlp, hidden));
  }

  public Tensor forward(Tensor x) {
    Tensor y = ln1.forward(x).transpose(0, 1);
    Tensor attended =
        new Tensor(selfAttention.forward(y, y, y, new Tensor(), false, new Tensor(), true).get0())
            .transpose(0, 1);
    x = attended.add(x);
    return x.add(linear2.forward(act.forward(linear1.forward(ln2.forward(x)))));
  }
}
