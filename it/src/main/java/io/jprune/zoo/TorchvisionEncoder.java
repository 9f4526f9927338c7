package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** torchvision's ViT {@code Encoder}: {@code x + pos_embedding}, the layers, then {@code ln}. */
public final class TorchvisionEncoder extends Module {
  private final Tensor posEmbedding;
  private final List<EncoderBlock> layers = new ArrayList<>();
  private final LayerNormImpl ln;

  TorchvisionEncoder(long tokens, long depth, long heads, long hidden, long mlp) {
    posEmbedding =
        new Tensor(
            register_parameter(
                "pos_embedding", torch.randn(1, tokens, hidden).mul(new Scalar(0.02))));
    ModuleListImpl list = register_module("layers", new ModuleListImpl());
    for (int i = 0; i < depth; i++) {
      EncoderBlock block = new EncoderBlock(hidden, heads, mlp);
      list.push_back(block);
      layers.add(block);
    }
    ln = register_module("ln", Layers.layerNorm(hidden, EncoderBlock.LN_EPS));
  }

  public Tensor forward(Tensor x) {
    x = x.add(posEmbedding);
    for (EncoderBlock block : layers) {
      x = block.forward(x);
    }
    return ln.forward(x);
  }
}
