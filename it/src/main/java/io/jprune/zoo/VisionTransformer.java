package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * DINO ViT-S/16 at 224x224 (22,050,664 parameters with the 1000-way head). {@code cls_token} and
 * {@code pos_embed} are bare parameters of this root module, used directly in forward, as in DINO;
 * their last dim is the embedding width a pruner must slice along with the blocks.
 */
public final class VisionTransformer extends Module {
  static final double LN_EPS = 1e-6;
  static final long IMAGE = 224;
  static final long PATCH = 16;
  static final long DIM = 384;
  static final long DEPTH = 12;
  static final long HEADS = 6;
  static final long MLP_RATIO = 4;

  private final PatchEmbed patchEmbed;
  private final Tensor clsToken;
  private final Tensor posEmbed;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNormImpl norm;
  private final LinearImpl head;

  public VisionTransformer(QkvSplit split, long numClasses) {
    long tokens = (IMAGE / PATCH) * (IMAGE / PATCH) + 1;
    patchEmbed = register_module("patch_embed", new PatchEmbed(3, DIM, PATCH));
    // register_parameter returns a reference into the module's parameter table, which the next
    // registration may reallocate: keep our own handle (same TensorImpl) instead.
    clsToken = new Tensor(register_parameter("cls_token", smallNormal(1, 1, DIM)));
    posEmbed = new Tensor(register_parameter("pos_embed", smallNormal(1, tokens, DIM)));
    ModuleListImpl blockList = register_module("blocks", new ModuleListImpl());
    for (int i = 0; i < DEPTH; i++) {
      TransformerBlock block = new TransformerBlock(DIM, HEADS, MLP_RATIO, split);
      blockList.push_back(block);
      blocks.add(block);
    }
    norm = register_module("norm", Layers.layerNorm(DIM, LN_EPS));
    head = register_module("head", Layers.linear(DIM, numClasses));
  }

  /** DINO uses trunc_normal(std=0.02); a plain seeded normal of the same scale does here. */
  private static Tensor smallNormal(long... shape) {
    return torch.randn(shape).mul(new Scalar(0.02));
  }

  public Tensor forward(Tensor x) {
    long b = x.size(0);
    Tensor patches = patchEmbed.forward(x);
    Tensor cls = clsToken.expand(b, -1, -1);
    Tensor tokens = torch.cat(new TensorVector(cls, patches), 1).add(posEmbed);
    for (TransformerBlock block : blocks) {
      tokens = block.forward(tokens);
    }
    tokens = norm.forward(tokens);
    return head.forward(tokens.select(1, 0));
  }
}
