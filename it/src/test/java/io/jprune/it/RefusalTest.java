package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.zoo.ZooModel;
import java.util.Map;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Anything unsupported fails before any weight changes, naming the op, layer or constraint and the
 * call site; the model's tensors are byte-identical afterwards.
 */
class RefusalTest {

  /** A model with an op jprune has no channel rule for (cumsum along channels). */
  public static final class CumsumNet extends Module {
    private final Conv2dImpl a =
        register_module("a", new Conv2dImpl(3, 8, new org.bytedeco.javacpp.LongPointer(3L, 3L)));
    private final Conv2dImpl b =
        register_module("b", new Conv2dImpl(8, 4, new org.bytedeco.javacpp.LongPointer(3L, 3L)));

    public Tensor forward(Tensor x) {
      return b.forward(a.forward(x).cumsum(1));
    }
  }

  @Test
  void unsupportedOpIsNamedWithItsCallSite() {
    CumsumNet model = new CumsumNet();
    Tensor input = torch.randn(1, 3, 12, 12);
    Map<String, Tensor> before = ZooPruning.snapshot(model);
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> model.forward(input))
                    .importance(ZooPruning.randomScores(1))
                    .build());
    assertTrue(
        e.getMessage()
            .startsWith(
                "unsupported op Tensor.cumsum at "
                    + "io.jprune.it.RefusalTest$CumsumNet.forward(RefusalTest.java:"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                ": no channel rule is known for it; jprune refuses " + "rather than guessing"),
        e.getMessage());
    ZooPruning.assertUnchanged(before, model);
  }

  @Test
  void removingEveryChannelOfALayerIsRefused() {
    ZooModel zoo = ZooModel.ESPCN;
    Module model = zoo.create(1);
    Tensor input = zoo.exampleInput(1);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    PruningGroup g = pruner.graph().groupOf("conv2");
    long[] all = new long[g.size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    Map<String, Tensor> before = ZooPruning.snapshot(model);
    PlanException e = assertThrows(PlanException.class, () -> pruner.prune(g, all));
    assertEquals("the removal would take all 32 channels of conv2.weight (dim 0)", e.getMessage());
    ZooPruning.assertUnchanged(before, model);
  }

  @Test
  void indexOutOfRangeIsRefused() {
    ZooModel zoo = ZooModel.ESPCN;
    Module model = zoo.create(1);
    Tensor input = zoo.exampleInput(1);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    PruningGroup g = pruner.graph().groupOf("conv3");
    Map<String, Tensor> before = ZooPruning.snapshot(model);
    PlanException e = assertThrows(PlanException.class, () -> pruner.prune(g, 2, 8));
    assertEquals(
        "channel index 8 is out of range for group " + g.id() + " 'conv3.weight' of 8 channels",
        e.getMessage());
    ZooPruning.assertUnchanged(before, model);
  }

  @Test
  void breakingTheHeadConstraintIsRefused() {
    ZooModel zoo = ZooModel.VIT_S_SELECT;
    Module model = zoo.create(1);
    Tensor input = zoo.exampleInput(1);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    PruningGroup g = pruner.graph().groupOf("blocks.3.attn.qkv");
    Map<String, Tensor> before = ZooPruning.snapshot(model);
    // one q/k channel of head 0 only: head 0 would have 63 dims, the others 64
    PlanException e = assertThrows(PlanException.class, () -> pruner.prune(g, 0));
    assertTrue(e.getMessage().startsWith("the removal leaves t"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("(at Tensor.reshape io.jprune.zoo.Attention.forward(" + "Attention.java:"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                "without a dense shape: blocks such as heads or groups "
                    + "would lose different numbers of channels"),
        e.getMessage());
    ZooPruning.assertUnchanged(before, model);
  }

  @Test
  void badRatioAndIgnoringEverythingAreRefused() {
    ZooModel zoo = ZooModel.ESPCN;
    Module model = zoo.create(1);
    Tensor input = zoo.exampleInput(1);
    IllegalArgumentException ratio =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> zoo.forward(model, input))
                    .importance(ZooPruning.randomScores(1))
                    .ratio(1.0)
                    .build());
    assertEquals("ratio must be in [0, 1), got 1.0", ratio.getMessage());
    IllegalArgumentException ignored =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> zoo.forward(model, input))
                    .importance(ZooPruning.randomScores(1))
                    .ignore("conv1", "conv2", "conv3", "refine")
                    .build());
    assertEquals(
        "nothing to prune: every prunable channel belongs to an ignored module "
            + "[conv1, conv2, conv3, refine]",
        ignored.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> zoo.forward(model, input))
                    .importance(ZooPruning.randomScores(1))
                    .ignore("fc")
                    .build());
    assertEquals("ignored module 'fc' is not a module of Espcn", unknown.getMessage());
  }

  @Test
  void wrongInputShapeIsRefusedBeforeAnyChange() {
    ZooModel zoo = ZooModel.RESNET18;
    Module model = zoo.create(1);
    Tensor wrong = torch.randn(1, 4, 32, 32);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> zoo.forward(model, wrong))
                    .importance(ZooPruning.randomScores(1))
                    .build());
    assertTrue(
        e.getMessage()
            .startsWith(
                "the example forward of io.jprune.zoo.ResNet failed: "
                    + "forward of io.jprune.zoo.ResNet threw in Conv2dImpl.forward at "),
        e.getMessage());
  }
}
