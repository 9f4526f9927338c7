package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.ZooModel;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.MultiheadAttentionImpl;
import org.bytedeco.pytorch.MultiheadAttentionOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * libtorch's MultiheadAttention prunes: its embed dim with the stream it reads and writes (the
 * q/k/v row blocks and columns of in_proj_weight, in_proj_bias, out_proj), head dims and whole
 * heads (embed_dim and num_heads follow), separate kdim/vdim projections, with masks passed in.
 */
class MultiheadAttentionPruningTest {
  /**
   * [L, N, 8] -> Linear(8, 16) -> x + attn(x) (4 heads of 4) -> Linear(16, 32) -> Linear(32, 4).
   */
  public static final class AttentionBlock extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final MultiheadAttentionImpl attn =
        register_module("attn", new MultiheadAttentionImpl(16, 4));
    private final LinearImpl fc1 = register_module("fc1", new LinearImpl(16, 32));
    private final LinearImpl fc2 = register_module("fc2", new LinearImpl(32, 4));
    private Tensor keyPaddingMask = new Tensor();
    private Tensor attnMask = new Tensor();

    public Tensor forward(Tensor x) {
      Tensor h = in.forward(x);
      Tensor a = new Tensor(attn.forward(h, h, h, keyPaddingMask, true, attnMask, true).get0());
      return fc2.forward(fc1.forward(a.add(h)).relu());
    }
  }

  /** Cross-attention with separate projections: query 16 wide, key and value 8 (kdim, vdim). */
  public static final class CrossAttention extends Module {
    private final LinearImpl q = register_module("q", new LinearImpl(6, 16));
    private final LinearImpl k = register_module("k", new LinearImpl(6, 8));
    private final LinearImpl v = register_module("v", new LinearImpl(6, 8));
    private final MultiheadAttentionImpl attn;
    private final LinearImpl out = register_module("out", new LinearImpl(16, 3));

    CrossAttention() {
      MultiheadAttentionOptions o = new MultiheadAttentionOptions(16, 2);
      o.kdim().put(8);
      o.vdim().put(8);
      attn = register_module("attn", new MultiheadAttentionImpl(o));
    }

    public Tensor forward(Tensor x, Tensor memory) {
      Tensor a =
          new Tensor(attn.forward(q.forward(x), k.forward(memory), v.forward(memory)).get0());
      return out.forward(a.relu());
    }
  }

  private static Pruner pruner(AttentionBlock model, Tensor x) {
    return Pruner.builder(model).exampleInput(x).importance(ZooPruning.randomScores(1)).build();
  }

  @Test
  void embedChannelsFollowTheStreamWithTheirQkvBlocksAndHeads() {
    torch.manual_seed(4);
    AttentionBlock model = new AttentionBlock();
    Tensor x = torch.randn(5, 2, 8);
    Pruner pruner = pruner(model, x);
    PruningGroup stream = pruner.graph().groupOf("in");
    assertEquals(16, stream.size());
    assertTrue(stream.parameters().contains("attn.in_proj_weight"), stream.describe());
    assertTrue(stream.parameters().contains("attn.out_proj.weight"), stream.describe());
    assertTrue(
        stream.describe().contains("MultiheadAttention attn (4 heads of 4)"), stream.describe());
    assertFalse(pruner.graph().describe().contains("kept whole"), pruner.graph().describe());
    // heads lose the same positions: 1 and 3 of every head
    long[] removed = {1, 3, 5, 7, 9, 11, 13, 15};
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(stream.id(), removed));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {24, 8}, ZooPruning.shape(p.get("attn.in_proj_weight")));
    assertArrayEquals(new long[] {24}, ZooPruning.shape(p.get("attn.in_proj_bias")));
    assertArrayEquals(new long[] {8, 8}, ZooPruning.shape(p.get("attn.out_proj.weight")));
    assertArrayEquals(new long[] {32, 8}, ZooPruning.shape(p.get("fc1.weight")));
    assertEquals(8, model.attn.options().embed_dim().get());
    assertEquals(4, model.attn.options().num_heads().get());
    assertEquals(8, model.attn.options().kdim().get());
    assertFalse(report.exactExpected(), "head dims are rescaled: " + report);
    assertArrayEquals(new long[] {5, 2, 4}, ZooPruning.shape(model.forward(x)));
  }

  @Test
  void wholeHeadsGoWithNumHeadsAndEqualTheMaskedOriginal() {
    torch.manual_seed(4);
    AttentionBlock model = new AttentionBlock();
    Tensor x = torch.randn(5, 2, 8);
    Pruner pruner = pruner(model, x);
    PruningGroup stream = pruner.graph().groupOf("in");
    EquivalenceReport report =
        pruner.pruneAndVerify(Removal.of(stream.id(), new long[] {4, 5, 6, 7, 12, 13, 14, 15}));
    assertEquals(8, model.attn.options().embed_dim().get());
    assertEquals(2, model.attn.options().num_heads().get());
    // flagged (an atom cannot tell whole from partial heads), yet whole heads keep the scale
    assertFalse(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  @Test
  void keyPaddingAndTwoDimensionalMasksStayValid() {
    torch.manual_seed(4);
    AttentionBlock model = new AttentionBlock();
    Tensor x = torch.randn(5, 2, 8);
    // the last key is padding in both sequences; a causal mask on top
    // registered as buffers: a tensor in a plain Java field is refused as unseen
    model.keyPaddingMask =
        new Tensor(
            model.register_buffer(
                "key_padding_mask",
                torch
                    .arange(new Scalar(5))
                    .ge(new Scalar(4))
                    .unsqueeze(0)
                    .expand(2, 5)
                    .contiguous()));
    model.attnMask =
        new Tensor(
            model.register_buffer("attn_mask", torch.triu(torch.ones(5, 5), 1).gt(new Scalar(0))));
    Pruner pruner = pruner(model, x);
    PruningGroup stream = pruner.graph().groupOf("in");
    EquivalenceReport report =
        pruner.pruneAndVerify(Removal.of(stream.id(), new long[] {0, 1, 2, 3}));
    assertEquals(3, model.attn.options().num_heads().get());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  @Test
  void separateKeyAndValueProjectionsPruneTheirInputsExactly() {
    torch.manual_seed(4);
    CrossAttention model = new CrossAttention();
    Tensor x = torch.randn(5, 2, 6);
    Tensor memory = torch.randn(7, 2, 6);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x, memory))
            .importance(ZooPruning.randomScores(1))
            .build();
    // key channel j and value channel j go together (libtorch wants equal key/value shapes)
    PruningGroup memoryChannels = pruner.graph().groupOf("k");
    assertEquals(memoryChannels, pruner.graph().groupOf("v"));
    assertEquals(8, memoryChannels.size());
    EquivalenceReport report =
        pruner.pruneAndVerify(Removal.of(memoryChannels.id(), new long[] {0, 5, 6}));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {16, 5}, ZooPruning.shape(p.get("attn.k_proj_weight")));
    assertArrayEquals(new long[] {16, 5}, ZooPruning.shape(p.get("attn.v_proj_weight")));
    assertArrayEquals(new long[] {16, 16}, ZooPruning.shape(p.get("attn.q_proj_weight")));
    assertEquals(5, model.attn.options().kdim().get());
    assertEquals(5, model.attn.options().vdim().get());
    assertEquals(16, model.attn.options().embed_dim().get());
  }

  @Test
  void macsFollowThePrunedWidths() {
    torch.manual_seed(4);
    AttentionBlock model = new AttentionBlock();
    Tensor x = torch.randn(5, 2, 8);
    Pruner pruner = pruner(model, x);
    PruningGroup stream = pruner.graph().groupOf("in");
    pruner.prune(stream, 4, 5, 6, 7, 12, 13, 14, 15);
    ModelCost cost = ModelCost.of(pruner.graph().trace());
    // L = S = 5, N = 2, E = 8: 4 projections 4*5*2*8*8, q.k and a.v 2*2*5*5*8, biases 4*5*2*8
    assertEquals(
        4 * 5 * 2 * 8 * 8 + 2 * 2 * 5 * 5 * 8 + 4 * 5 * 2 * 8,
        cost.layer("attn").orElseThrow().macs());
    assertEquals(3 * 8 * 8 + 3 * 8 + 8 * 8 + 8, cost.layer("attn").orElseThrow().params());
  }

  private static MultiheadAttentionImpl attention(Module model, String path) {
    StringSharedModuleDict named = model.named_modules();
    for (long i = 0; i < named.size(); i++) {
      if (named.get(i).key() != null
          && !named.get(i).key().isNull()
          && named.get(i).key().getString().equals(path)) {
        return named.get(i).value().asMultiheadAttention();
      }
    }
    throw new AssertionError("no module " + path);
  }

  private static long params(Module model) {
    long n = 0;
    for (Tensor t : ModelTensors.parameters(model).values()) {
      n += t.numel();
    }
    return n;
  }

  @Test
  void torchvisionVitHalvesToTorchPruningsCountWithHeadsKept() {
    Module model = ZooModel.VIT_S_MHA.create(ZooPruning.SEED);
    Tensor x = ZooModel.VIT_S_MHA.exampleInput(ZooPruning.SEED);
    assertEquals(22_050_664, params(model));
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> ZooModel.VIT_S_MHA.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .build();
    pruner.pruneAll();
    assertEquals(5_717_416, params(model), "Torch-Pruning's vit_s at 0.5 (heads kept)");
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(
        new long[] {576, 192},
        ZooPruning.shape(p.get("encoder.layers.0.self_attention.in_proj_weight")));
    assertArrayEquals(
        new long[] {768, 192}, ZooPruning.shape(p.get("encoder.layers.11.mlp_0.weight")));
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(
          new long[] {1, 1000}, ZooPruning.shape(ZooModel.VIT_S_MHA.forward(model, x)));
    }
  }

  @Test
  void torchvisionVitEqualsItsMaskedOriginalWhereExact() {
    Module model = ZooModel.VIT_S_MHA.create(ZooPruning.SEED);
    Tensor x = ZooModel.VIT_S_MHA.exampleInput(ZooPruning.SEED);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> ZooModel.VIT_S_MHA.forward(model, x))
            .importance(ZooPruning.randomScores(2))
            .build();
    PruningGroup mlp = pruner.graph().groupOf("encoder.layers.3.mlp_0");
    PruningGroup stream = pruner.graph().groupOf("conv_proj");
    assertEquals(1536, mlp.size());
    assertEquals(384, stream.size());
    EquivalenceReport hidden =
        pruner.pruneAndVerify(
            Removal.of(mlp.id(), ZooPruning.randomSubset(mlp, new java.util.Random(5))));
    assertTrue(hidden.exactExpected(), hidden.toString());
    assertTrue(hidden.agrees(1e-5), hidden.toString());
    // the stream passes every LayerNorm: the oracle says so instead of comparing
    stream = pruner.graph().groupOf("conv_proj");
    long[] head5 = new long[64];
    for (int i = 0; i < 64; i++) {
      head5[i] = 5 * 64 + i;
    }
    EquivalenceReport streamReport =
        pruner.pruneAndVerify(
            Removal.of(stream.id(), pruner.graph().channelsOf(stream, "conv_proj", head5)));
    assertFalse(streamReport.exactExpected());
    assertTrue(
        streamReport.inexactReasons().stream().anyMatch(r -> r.contains("LayerNorm")),
        streamReport.toString());
    assertEquals(
        5, attention(model, "encoder.layers.0.self_attention").options().num_heads().get());
  }

  @Test
  void torchvisionVitLosesWholeHeadsWithHeadRatio() {
    Module model = ZooModel.VIT_S_MHA.create(ZooPruning.SEED);
    Tensor x = ZooModel.VIT_S_MHA.exampleInput(ZooPruning.SEED);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> ZooModel.VIT_S_MHA.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0)
            .headRatio(0.5)
            .build();
    pruner.pruneAll();
    for (int layer = 0; layer < 12; layer++) {
      MultiheadAttentionImpl attn = attention(model, "encoder.layers." + layer + ".self_attention");
      assertEquals(3, attn.options().num_heads().get(), "layer " + layer);
      assertEquals(192, attn.options().embed_dim().get(), "layer " + layer);
    }
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(
        new long[] {576, 192},
        ZooPruning.shape(p.get("encoder.layers.0.self_attention.in_proj_weight")));
    assertArrayEquals(
        new long[] {1536, 192}, ZooPruning.shape(p.get("encoder.layers.0.mlp_0.weight")));
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(
          new long[] {1, 1000}, ZooPruning.shape(ZooModel.VIT_S_MHA.forward(model, x)));
    }
  }
}
