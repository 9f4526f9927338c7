package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.report.LayerCost;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.util.Map;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.MultiheadAttentionImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * libtorch's MultiheadAttention and LSTM are kept whole (jprune does not slice their packed
 * weights): the channels they read stay, and the rest of the model prunes exactly. Before, their
 * tuple results were not traced and the layer feeding them looked free to prune.
 */
class KeptWholeModulesTest {
  private static final long[] REMOVED = {0, 5, 9, 17, 30, 31};

  /** A post-norm-free transformer block on [L, N, E]: attention with a residual, then an MLP. */
  public static final class AttentionBlock extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final MultiheadAttentionImpl attn =
        register_module("attn", new MultiheadAttentionImpl(16, 2));
    private final LinearImpl fc1 = register_module("fc1", new LinearImpl(16, 32));
    private final LinearImpl fc2 = register_module("fc2", new LinearImpl(32, 4));

    public Tensor forward(Tensor x) {
      Tensor h = in.forward(x);
      Tensor a = new Tensor(attn.forward(h, h, h).get0()).add(h);
      return fc2.forward(fc1.forward(a).relu());
    }
  }

  /** A sequence encoder: LSTM over [L, N, 16], then an MLP on its outputs. */
  public static final class LstmHead extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final LSTMImpl lstm = register_module("lstm", new LSTMImpl(16, 12));
    private final LinearImpl fc1 = register_module("fc1", new LinearImpl(12, 32));
    private final LinearImpl fc2 = register_module("fc2", new LinearImpl(32, 4));

    public Tensor forward(Tensor x) {
      Tensor seq = new Tensor(lstm.forward(in.forward(x)).get0());
      return fc2.forward(fc1.forward(seq).relu());
    }
  }

  private static void pruneHiddenAndCompare(Module model, Tensor x, String keptLine,
      String untouched, long[] untouchedShape) {
    Pruner pruner = Pruner.builder(model).forward(() -> invoke(model, x))
        .importance(ZooPruning.randomScores(1)).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> pruner.graph().groupOf("in"));
    assertEquals("no prunable output channels for 'in' (ignored, fixed by the model's outputs or "
        + "inputs, or not in the trace)", e.getMessage());
    assertTrue(pruner.graph().describe().endsWith("kept whole (their weights are not sliced; "
        + "the channels they read stay): " + keptLine + "\n"), pruner.graph().describe());
    PruningGroup hidden = pruner.graph().groupOf("fc1");
    assertEquals(32, hidden.size());
    EquivalenceReport report = pruner.pruneAndVerify(Map.of(hidden.id(), REMOVED));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertEquals(26, p.get("fc1.weight").size(0));
    assertEquals(26, p.get("fc2.weight").size(1));
    assertArrayEquals(untouchedShape, ZooPruning.shape(p.get(untouched)), "kept whole");
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  private static Tensor invoke(Module model, Tensor x) {
    return model instanceof AttentionBlock a ? a.forward(x) : ((LstmHead) model).forward(x);
  }

  @Test
  void multiheadAttentionIsKeptAndItsMlpPrunesExactly() {
    pruneHiddenAndCompare(new AttentionBlock(), torch.randn(5, 2, 8),
        "attn (MultiheadAttentionImpl)", "attn.in_proj_weight",
        new long[] {48, 16});
  }

  @Test
  void lstmIsKeptAndItsMlpPrunesExactly() {
    pruneHiddenAndCompare(new LstmHead(), torch.randn(5, 2, 8), "lstm (LSTMImpl)",
        "lstm.weight_ih_l0",
        new long[] {48, 16});
  }

  @Test
  void attentionMacsCountItsProjectionsAndProducts() {
    AttentionBlock model = new AttentionBlock();
    Tensor x = torch.randn(5, 2, 8);
    ModelCost cost = ModelCost.of(Pruner.builder(model).forward(() -> model.forward(x))
        .importance(ZooPruning.randomScores(1)).build().graph().trace());
    LayerCost attn = cost.layers().stream().filter(l -> l.name().equals("attn")).findFirst()
        .orElseThrow();
    // L = S = 5, N = 2, E = 16: 4 projections 4*5*2*16*16, q.k and a.v 2*2*5*5*16, biases 4*5*2*16
    assertEquals(4 * 5 * 2 * 16 * 16 + 2 * 2 * 5 * 5 * 16 + 4 * 5 * 2 * 16, attn.macs());
    assertEquals(3 * 16 * 16 + 3 * 16 + 16 * 16 + 16, attn.params(), "in_proj and out_proj");
  }
}
