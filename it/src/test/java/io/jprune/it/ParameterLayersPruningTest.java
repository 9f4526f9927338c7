package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Layers a Java user writes from registered parameters instead of LinearImpl: functional {@code
 * torch.linear(x, w, b)} and {@code x.matmul(w)}. They prune like LinearImpl (rows, columns and
 * bias entries), and a parameter read twice is kept rather than sliced under the other reader.
 */
class ParameterLayersPruningTest {
  private static final long[] REMOVED = {1, 2, 8, 13, 15};

  /** linear(x, w1, b1) -> relu -> matmul(w2): w1 [16, 8] rows out, w2 [16, 4] rows in. */
  public static final class HandMlp extends Module {
    // owned handles: register_parameter returns a reference into a table the next call may move
    private final Tensor w1 = new Tensor(register_parameter("w1", torch.randn(16, 8)));
    private final Tensor b1 = new Tensor(register_parameter("b1", torch.randn(16)));
    private final Tensor w2 = new Tensor(register_parameter("w2", torch.randn(16, 4)));
    private final boolean tied;

    public HandMlp(boolean tied) {
      this.tied = tied;
    }

    public Tensor forward(Tensor x) {
      Tensor h = torch.linear(x, w1, new TensorOptional(b1)).relu();
      Tensor y = h.matmul(w2);
      // a second reader of w2 (weight tying, a norm penalty): w2 cannot be sliced under it
      return tied ? y.add(w2.sum()) : y;
    }
  }

  @Test
  void functionalLinearAndMatmulOnParametersPruneExactly() throws IOException {
    HandMlp model = new HandMlp(false);
    Tensor x = torch.randn(3, 8);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    long macsBefore = ModelCost.of(pruner.graph().trace()).macs();
    assertEquals(3 * 16 * 8 + 3 * 4 * 16, macsBefore, "linear and matmul counted");
    PruningGroup hidden = pruner.graph().groupOf("w1");
    assertEquals(16, hidden.size());
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(hidden.id(), REMOVED));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {11, 8}, ZooPruning.shape(p.get("w1")));
    assertArrayEquals(new long[] {11}, ZooPruning.shape(p.get("b1")));
    assertArrayEquals(new long[] {11, 4}, ZooPruning.shape(p.get("w2")));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
    assertEquals(3 * 11 * 8 + 3 * 4 * 11, ModelCost.of(pruner.graph().trace()).macs());

    // saved and rebuilt from a fresh original with other weights: the same output, bit for bit
    Path dir = Files.createTempDirectory("jprune-hand-mlp");
    PrunedModelFiles.save(model, pruner, dir);
    HandMlp reloaded = new HandMlp(false);
    PrunedModelFiles.load(reloaded, dir);
    assertArrayEquals(new long[] {11, 4}, ZooPruning.shape(ModelTensors.of(reloaded).get("w2")));
    try (NoGradGuard g = new NoGradGuard()) {
      assertTrue(torch.equal(model.forward(x), reloaded.forward(x)));
    }
  }

  /** The classic {@code addmm(b, x, W)} layer: W [8, 16] columns are the outputs. */
  public static final class AddmmNet extends Module {
    private final Tensor w = new Tensor(register_parameter("W", torch.randn(8, 16)));
    private final Tensor b = new Tensor(register_parameter("b", torch.randn(16)));
    private final LinearImpl head = register_module("head", new LinearImpl(16, 3));

    public Tensor forward(Tensor x) {
      return head.forward(torch.addmm(b, x, w).relu());
    }
  }

  @Test
  void addmmOnParametersPrunesItsColumns() {
    AddmmNet model = new AddmmNet();
    Tensor x = torch.randn(4, 8);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    assertEquals(
        4 * 16 * 8 + 4 * 3 * 16 + 4 * 3,
        ModelCost.of(pruner.graph().trace()).macs(),
        "addmm counted on x, not on the bias");
    PruningGroup g = pruner.graph().groupOf("W");
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {8, 11}, ZooPruning.shape(p.get("W")));
    assertArrayEquals(new long[] {11}, ZooPruning.shape(p.get("b")));
    assertArrayEquals(new long[] {3, 11}, ZooPruning.shape(p.get("head.weight")));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  @Test
  void aParameterReadTwiceIsKept() {
    HandMlp model = new HandMlp(true);
    Tensor x = torch.randn(3, 8);
    // w2 stays whole, so h's channels and thus w1's rows stay too: nothing is left to prune
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> model.forward(x))
                    .importance(ZooPruning.randomScores(1))
                    .build());
    assertEquals(
        "nothing to prune: no channel of HandMlp can be removed (its inputs and "
            + "outputs, and what jprune keeps whole, fix every channel)",
        e.getMessage());
    Pruner noRatio =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .ratio(0)
            .build();
    assertTrue(noRatio.groups().isEmpty(), noRatio.graph().describe());
  }
}
