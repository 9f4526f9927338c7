package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.util.Map;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Ops that return a tuple, here {@code max(dim)} (values, indices): the tracer opens the tuple, so
 * what the model reads with {@code get0()} has a traced producer and its channels are followed.
 * Before, the values looked like a constant and a channel-keeping max left the next layer unpruned.
 */
class TupleOpsPruningTest {
  private static final long[] REMOVED = {1, 4, 6};

  /** Global max pooling written as max over the flattened positions. */
  public static final class MaxOverSpaceNet extends Module {
    private final Conv2dImpl conv =
        register_module("conv", new Conv2dImpl(3, 8, new LongPointer(3L, 3L)));
    private final LinearImpl fc = register_module("fc", new LinearImpl(8, 4));

    public Tensor forward(Tensor x) {
      T_TensorTensor_T pooled = conv.forward(x).relu().flatten(2, -1).max(2);
      return fc.forward(new Tensor(pooled.get0()));
    }
  }

  /** CBAM-style spatial attention: the max across channels gates every channel. */
  public static final class MaxOverChannelsNet extends Module {
    private final Conv2dImpl conv =
        register_module("conv", new Conv2dImpl(3, 8, new LongPointer(3L, 3L)));
    private final Conv2dImpl out =
        register_module("out", new Conv2dImpl(8, 4, new LongPointer(1L, 1L)));

    public Tensor forward(Tensor x) {
      Tensor h = conv.forward(x).relu();
      T_TensorTensor_T strongest = h.max(1, true);
      return out.forward(h.mul(new Tensor(strongest.get0()).sigmoid()));
    }
  }

  @Test
  void maxOverSpaceKeepsChannelsAndPrunesExactly() {
    MaxOverSpaceNet model = new MaxOverSpaceNet();
    Tensor x = torch.randn(2, 3, 10, 10);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("conv");
    assertEquals(8, g.size());
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {5, 3, 3, 3}, ZooPruning.shape(p.get("conv.weight")));
    assertArrayEquals(
        new long[] {4, 5},
        ZooPruning.shape(p.get("fc.weight")),
        "fc loses the columns of the removed channels");
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  @Test
  void maxAcrossChannelsIsPrunedButSaidToBeInexact() {
    MaxOverChannelsNet model = new MaxOverChannelsNet();
    Tensor x = torch.randn(2, 3, 10, 10);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("conv");
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    assertArrayEquals(
        new long[] {4, 5, 1, 1}, ZooPruning.shape(ModelTensors.of(model).get("out.weight")));
    assertFalse(report.exactExpected(), "the max sees the removed channels' zeros");
    assertTrue(
        report
            .toString()
            .contains(
                "max across channels at io.jprune.it."
                    + "TupleOpsPruningTest$MaxOverChannelsNet.forward(TupleOpsPruningTest.java:"),
        report.toString());
    assertArrayEquals(new long[] {2, 4, 8, 8}, ZooPruning.shape(model.forward(x)));
  }
}
