package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.ZooModel;
import java.util.List;
import java.util.Random;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * For every group of every zoo model, a random valid subset (seeded) is pruned and the output
 * compared with the masked original's: equal within 1e-5 x max|output| where every removed channel
 * only passes zero-preserving ops; otherwise (LayerNorm/GroupNorm across channels) the pruned model
 * must still run forward and backward, deterministically, with the original output shape.
 */
class ZooEquivalenceTest {
  private static final double REL_TOL = 1e-5;

  /** Small models: every group pruned on its own, on a fresh model each time. */
  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {
        "ESPCN",
        "ESPCN_MODULE",
        "ESPCN_UNSHUFFLE",
        "UNET",
        "SHUFFLENET",
        "C2F",
        "GROUPNORM_GROUPED",
        "TEXT_EMBED",
        "DENSENET_STACK"
      })
  void everyGroupOnItsOwn(ZooModel zoo) {
    int groups = groupCount(zoo);
    assertTrue(groups > 0, zoo + " has no prunable group");
    for (int i = 0; i < groups; i++) {
      pruneAndCheck(zoo, i, ZooPruning.SEED + i);
    }
  }

  /** Large models: every group at once (one removal touching all groups). */
  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {
        "RESNET18",
        "RESNET50",
        "MOBILENET_V2",
        "VIT_S_SELECT",
        "UNET",
        "SHUFFLENET",
        "C2F",
        "DENSENET_STACK",
        "GROUPNORM_GROUPED"
      })
  void allGroupsAtOnce(ZooModel zoo) {
    pruneAndCheck(zoo, -1, ZooPruning.SEED);
  }

  private static int groupCount(ZooModel zoo) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    return ZooPruning.pruner(zoo, model, input).groups().size();
  }

  private static void pruneAndCheck(ZooModel zoo, int groupIndex, long seed) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Tensor original = ZooPruning.run(zoo, model, input);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    List<PruningGroup> groups =
        groupIndex < 0 ? pruner.groups() : List.of(pruner.groups().get(groupIndex));
    Removal removal =
        groupIndex < 0
            ? ZooPruning.randomRemoval(groups, seed)
            : Removal.of(
                groups.get(0).id(), ZooPruning.randomSubset(groups.get(0), new Random(seed)));
    String what = zoo + (groupIndex < 0 ? " all groups" : " group " + groups.get(0).describe());
    if (removal.isEmpty()) {
      return; // a one-channel group: nothing removable
    }
    long before = countParams(model);
    EquivalenceReport report = pruner.pruneAndVerify(removal);
    assertTrue(countParams(model) < before, what + ": nothing was removed");
    Tensor pruned = ZooPruning.run(zoo, model, input);
    assertArrayEquals(ZooPruning.shape(original), ZooPruning.shape(pruned), what);
    if (report.exactExpected()) {
      assertTrue(report.agrees(REL_TOL), what + ": " + report);
    } else {
      assertTrue(torch.equal(pruned, ZooPruning.run(zoo, model, input)), what + ": determinism");
      assertFalse(Double.isNaN(report.maxAbsDiff()), what + ": " + report);
    }
    backwardRuns(zoo, model, input, what);
  }

  private static void backwardRuns(ZooModel zoo, Module model, Tensor input, String what) {
    model.train(true);
    Tensor out = zoo.forward(model, input);
    out.to(torch.ScalarType.Float).pow(new org.bytedeco.pytorch.Scalar(2)).sum().backward();
    model.zero_grad(true);
    model.eval();
  }

  private static long countParams(Module model) {
    long n = 0;
    for (Tensor t : io.jprune.pruner.surgery.ModelTensors.parameters(model).values()) {
      n += t.numel();
    }
    return n;
  }
}
