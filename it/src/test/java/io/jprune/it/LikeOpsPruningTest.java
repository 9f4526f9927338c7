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
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Element-wise ops with a constant part. {@code zeros_like}/{@code ones_like}/... take their shape
 * from a traced tensor, so they follow its channels and stay right after pruning with no rewrite:
 * zeros keep the comparison with the masked original exact, other fills are said to make it
 * inexact.
 */
class LikeOpsPruningTest {
  private static final long[] REMOVED = {2, 3, 7};

  public static final class LikeNet extends Module {
    private final Conv2dImpl conv =
        register_module("conv", new Conv2dImpl(3, 8, new LongPointer(3L, 3L)));
    private final Conv2dImpl out =
        register_module("out", new Conv2dImpl(8, 4, new LongPointer(1L, 1L)));
    private final boolean ones;

    public LikeNet(boolean ones) {
      this.ones = ones;
    }

    public Tensor forward(Tensor x) {
      Tensor h = conv.forward(x).relu();
      Tensor fill = ones ? torch.ones_like(h).mul(new Scalar(0.5)) : torch.zeros_like(h);
      return out.forward(h.add(fill));
    }
  }

  private static EquivalenceReport prune(LikeNet model, Tensor x) {
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("conv");
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    assertArrayEquals(
        new long[] {4, 5, 1, 1}, ZooPruning.shape(ModelTensors.of(model).get("out.weight")));
    assertArrayEquals(
        new long[] {1, 4, 8, 8},
        ZooPruning.shape(model.forward(x)),
        "the fill takes the pruned shape by itself");
    return report;
  }

  @Test
  void zerosLikeFollowsChannelsExactly() {
    EquivalenceReport report = prune(new LikeNet(false), torch.randn(1, 3, 10, 10));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  /** An attention-style mask broadcast over channels, then a where between two branches. */
  public static final class MaskNet extends Module {
    private final Conv2dImpl conv =
        register_module("conv", new Conv2dImpl(3, 8, new LongPointer(3L, 3L)));
    private final Conv2dImpl out =
        register_module("out", new Conv2dImpl(8, 4, new LongPointer(1L, 1L)));

    public Tensor forward(Tensor x) {
      Tensor h = conv.forward(x);
      Tensor border = torch.ones(1, 1, 8, 8).gt(new Scalar(0.5)); // a [1, 1, H, W] mask
      Tensor masked = h.masked_fill(border, new Scalar(-1.0));
      return out.forward(torch.where(masked.gt(new Scalar(0)), masked, h.relu()));
    }
  }

  @Test
  void maskedFillAndWhereFollowChannelsAndAreSaidInexact() {
    MaskNet model = new MaskNet();
    Tensor x = torch.randn(1, 3, 10, 10);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("conv");
    assertEquals(8, g.size());
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    assertArrayEquals(
        new long[] {4, 5, 1, 1}, ZooPruning.shape(ModelTensors.of(model).get("out.weight")));
    assertFalse(report.exactExpected(), "-1 fills the removed channels of the masked original");
    assertTrue(report.toString().contains("masked_fill"), report.toString());
  }

  @Test
  void onesLikeFollowsChannelsAndIsSaidInexact() {
    EquivalenceReport report = prune(new LikeNet(true), torch.randn(1, 3, 10, 10));
    assertFalse(report.exactExpected(), "a removed channel's 0.5 fill reached out in the mask");
    assertTrue(report.toString().contains("ones_like"), report.toString());
  }
}
