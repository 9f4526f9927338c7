package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.util.Map;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TransformerEncoderImpl;
import org.bytedeco.pytorch.TransformerEncoderLayerImpl;
import org.bytedeco.pytorch.TransformerEncoderLayerOptions;
import org.bytedeco.pytorch.TransformerEncoderOptions;
import org.bytedeco.pytorch.TransformerImpl;
import org.bytedeco.pytorch.TransformerOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * libtorch's TransformerEncoder and Transformer (native forward: one traced call) prune d_model
 * through every layer's attention (cross-attention too), norms and residuals, and each layer's
 * dim_feedforward, with their options updated; compared with the masked original where that is
 * exact.
 */
class TransformerPruningTest {
  private static final long VOCAB = 40;
  private static final long SEQ = 6;
  private static final long BATCH = 2;

  /** Token ids [S, N] -> Embedding(40, 32) -> 2-layer encoder (4 heads, ff 64) -> first token. */
  public static final class TextEncoderClassifier extends Module {
    private final EmbeddingImpl embed = register_module("embed", new EmbeddingImpl(VOCAB, 32));
    private final TransformerEncoderImpl encoder;
    private final LinearImpl classifier = register_module("classifier", new LinearImpl(32, 5));

    TextEncoderClassifier() {
      TransformerEncoderLayerOptions layer = new TransformerEncoderLayerOptions(32, 4);
      layer.dim_feedforward().put(64);
      layer.dropout().put(0.0);
      encoder =
          register_module(
              "encoder", new TransformerEncoderImpl(new TransformerEncoderOptions(layer, 2)));
    }

    public Tensor forward(Tensor ids) {
      return classifier.forward(encoder.forward(embed.forward(ids)).select(0, 0));
    }

    /** With a key-padding mask [N, S] (true = padding). */
    public Tensor forward(Tensor ids, Tensor padding) {
      return classifier.forward(
          encoder.forward(embed.forward(ids), new Tensor(), padding).select(0, 0));
    }
  }

  private static TextEncoderClassifier model() {
    torch.manual_seed(21);
    TextEncoderClassifier model = new TextEncoderClassifier();
    model.eval();
    return model;
  }

  private static Tensor ids() {
    torch.manual_seed(22);
    return torch.randint(VOCAB, new long[] {SEQ, BATCH});
  }

  private static TransformerEncoderLayerImpl layer(Module model, int k) {
    StringSharedModuleDict named = model.named_modules();
    for (long i = 0; i < named.size(); i++) {
      if (named.get(i).key() != null
          && !named.get(i).key().isNull()
          && named.get(i).key().getString().equals("encoder.layers." + k)) {
        return named.get(i).value().asTransformerEncoderLayer();
      }
    }
    throw new AssertionError("no layer " + k);
  }

  @Test
  void dimFeedforwardHalvedEqualsTheMaskedOriginal() {
    TextEncoderClassifier model = model();
    Tensor ids = ids();
    Pruner pruner =
        Pruner.builder(model).exampleInput(ids).importance(ZooPruning.randomScores(4)).build();
    for (int k = 0; k < 2; k++) {
      PruningGroup ff = pruner.graph().groupOf("encoder.layers." + k + ".linear1");
      assertEquals(64, ff.size());
      long[] half = new long[32];
      for (int i = 0; i < 32; i++) {
        half[i] = 2L * i + k;
      }
      EquivalenceReport report = pruner.pruneAndVerify(Removal.of(ff.id(), half));
      assertTrue(report.exactExpected(), report.toString());
      assertTrue(report.agrees(1e-5), report.toString());
      assertEquals(32, layer(model, k).options().dim_feedforward().get());
    }
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(
        new long[] {32, 32}, ZooPruning.shape(p.get("encoder.layers.1.linear1.weight")));
    assertArrayEquals(
        new long[] {32, 32}, ZooPruning.shape(p.get("encoder.layers.0.linear2.weight")));
  }

  @Test
  void dModelHalvesThroughAttentionNormsAndResidualsWithAndWithoutMasks() {
    TextEncoderClassifier model = model();
    Tensor ids = ids();
    Pruner pruner =
        Pruner.builder(model).exampleInput(ids).importance(ZooPruning.randomScores(4)).build();
    long macsBefore = ModelCost.of(pruner.graph().trace()).layer("encoder").orElseThrow().macs();
    PruningGroup stream = pruner.graph().groupOf("embed");
    assertEquals(32, stream.size());
    assertTrue(stream.describe().contains("(4 heads of 8)"), stream.describe());
    long[] half = new long[16]; // positions 4..7 of every head
    for (int h = 0; h < 4; h++) {
      for (int d = 0; d < 4; d++) {
        half[h * 4 + d] = h * 8 + 4 + d;
      }
    }
    EquivalenceReport report =
        pruner.pruneAndVerify(
            Removal.of(stream.id(), pruner.graph().channelsOf(stream, "embed", half)));
    assertFalse(report.exactExpected());
    assertTrue(
        report.inexactReasons().stream().anyMatch(r -> r.startsWith("LayerNorm encoder.")),
        report.toString());
    for (int k = 0; k < 2; k++) {
      TransformerEncoderLayerImpl layer = layer(model, k);
      assertEquals(16, layer.options().d_model().get());
      assertEquals(4, layer.options().nhead().get());
    }
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(
        new long[] {48, 16}, ZooPruning.shape(p.get("encoder.layers.1.self_attn.in_proj_weight")));
    assertArrayEquals(new long[] {16}, ZooPruning.shape(p.get("encoder.layers.1.norm2.weight")));
    assertArrayEquals(
        new long[] {64, 16}, ZooPruning.shape(p.get("encoder.layers.0.linear1.weight")));
    long macsAfter = ModelCost.of(pruner.graph().trace()).layer("encoder").orElseThrow().macs();
    long tokens = SEQ * BATCH;
    // per layer: q,k,v,out 4 t e^2, q.k and a.v 2 n s^2 e, biases 4 t e, linears 2 t e f + t f
    // + t e, norms 4 t e
    assertEquals(
        2
            * (4 * tokens * 16 * 16
                + 2 * BATCH * SEQ * SEQ * 16
                + 4 * tokens * 16
                + 2 * tokens * 16 * 64
                + tokens * 64
                + tokens * 16
                + 4 * tokens * 16),
        macsAfter);
    assertTrue(macsAfter < macsBefore);
    Tensor padding =
        torch
            .arange(new Scalar(SEQ))
            .ge(new Scalar(SEQ - 2))
            .unsqueeze(0)
            .expand(BATCH, SEQ)
            .contiguous();
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(new long[] {BATCH, 5}, ZooPruning.shape(model.forward(ids)));
      assertArrayEquals(new long[] {BATCH, 5}, ZooPruning.shape(model.forward(ids, padding)));
    }
  }

  /** src, tgt [*, N, 8] -> Linear to 16 -> Transformer (2 heads, 1+1 layers, ff 32) -> Linear. */
  public static final class Seq2Seq extends Module {
    private final LinearImpl src = register_module("src", new LinearImpl(8, 16));
    private final LinearImpl tgt = register_module("tgt", new LinearImpl(8, 16));
    private final TransformerImpl transformer;
    private final LinearImpl out = register_module("out", new LinearImpl(16, 3));

    Seq2Seq() {
      TransformerOptions o = new TransformerOptions(16, 2, 1, 1);
      o.dim_feedforward().put(32);
      o.dropout().put(0.0);
      transformer = register_module("transformer", new TransformerImpl(o));
    }

    public Tensor forward(Tensor a, Tensor b) {
      return out.forward(transformer.forward(src.forward(a), tgt.forward(b)));
    }
  }

  @Test
  void transformerCouplesMemoryToTheDecoderAndPrunesItsFeedforward() {
    torch.manual_seed(23);
    Seq2Seq model = new Seq2Seq();
    model.eval();
    Tensor a = torch.randn(5, BATCH, 8);
    Tensor b = torch.randn(4, BATCH, 8);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(a, b))
            .importance(ZooPruning.randomScores(4))
            .build();
    PruningGroup stream = pruner.graph().groupOf("src");
    assertEquals(stream, pruner.graph().groupOf("tgt"), "cross-attention ties memory to tgt");
    PruningGroup ff = pruner.graph().groupOf("transformer.decoder.layers.0.linear1");
    EquivalenceReport exact =
        pruner.pruneAndVerify(
            Removal.of(
                ff.id(), new long[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}));
    assertTrue(exact.exactExpected(), exact.toString());
    assertTrue(exact.agrees(1e-5), exact.toString());
    stream = pruner.graph().groupOf("src");
    EquivalenceReport whole =
        pruner.pruneAndVerify(
            Removal.of(
                stream.id(),
                pruner.graph().channelsOf(stream, "src", 8, 9, 10, 11, 12, 13, 14, 15)));
    assertTrue(
        whole.inexactReasons().stream().anyMatch(r -> r.startsWith("LayerNorm")), whole.toString());
    assertEquals(8, model.transformer.options().d_model().get());
    assertEquals(1, model.transformer.options().nhead().get());
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(
        new long[] {24, 8},
        ZooPruning.shape(p.get("transformer.decoder.layers.0.multihead_attn.in_proj_weight")));
    assertArrayEquals(
        new long[] {16, 8}, ZooPruning.shape(p.get("transformer.decoder.layers.0.linear1.weight")));
    assertArrayEquals(new long[] {8}, ZooPruning.shape(p.get("transformer.encoder.norm.weight")));
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(new long[] {4, BATCH, 3}, ZooPruning.shape(model.forward(a, b)));
    }
  }
}
