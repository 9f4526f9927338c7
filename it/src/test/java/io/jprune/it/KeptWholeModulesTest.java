package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.util.Map;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * libtorch's LSTM is kept whole (jprune does not slice its packed weights): the channels it reads
 * stay, and the rest of the model prunes exactly. Before, its tuple results were not traced and
 * the layer feeding it looked free to prune. (MultiheadAttention prunes: see
 * {@link MultiheadAttentionPruningTest}.)
 */
class KeptWholeModulesTest {
  private static final long[] REMOVED = {0, 5, 9, 17, 30, 31};

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
    return ((LstmHead) model).forward(x);
  }

  @Test
  void lstmIsKeptAndItsMlpPrunesExactly() {
    pruneHiddenAndCompare(new LstmHead(), torch.randn(5, 2, 8), "lstm (LSTMImpl)",
        "lstm.weight_ih_l0",
        new long[] {48, 16});
  }
}
