package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.ZooModel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every group of every zoo model, a random valid subset (seeded) is pruned and the output
 * compared with the masked original's: equal within 1e-5 x max|output| where every removed channel
 * only passes zero-preserving ops; otherwise (LayerNorm/GroupNorm across channels) the pruned model
 * must still run forward and backward, deterministically, with the original output shape. A case
 * fails when its removal would remove nothing, and a model that offers no group fails as a case.
 */
class ZooEquivalenceTest {
  private static final double REL_TOL = 1e-5;

  /** Small models: every group pruned on its own, on a fresh model each time. */
  private static final List<ZooModel> SMALL =
      List.of(
          ZooModel.ESPCN,
          ZooModel.ESPCN_MODULE,
          ZooModel.ESPCN_UNSHUFFLE,
          ZooModel.UNET,
          ZooModel.SHUFFLENET,
          ZooModel.C2F,
          ZooModel.GROUPNORM_GROUPED,
          ZooModel.TEXT_EMBED,
          ZooModel.DENSENET_STACK);

  /**
   * Each model's groups as its first graph has them (leader, size), built once per model when the
   * cases are listed; each case then prunes a fresh model (surgery is in place) and checks that its
   * graph numbers the group alike.
   */
  private static final class Groups {
    private static final Map<ZooModel, List<String>> LEADERS = new EnumMap<>(ZooModel.class);
    private static final Map<ZooModel, List<Integer>> SIZES = new EnumMap<>(ZooModel.class);

    static synchronized void load(ZooModel zoo) {
      if (LEADERS.containsKey(zoo)) {
        return;
      }
      Module model = zoo.create(ZooPruning.SEED);
      Tensor input = zoo.exampleInput(ZooPruning.SEED);
      List<PruningGroup> groups = ZooPruning.pruner(zoo, model, input).groups();
      LEADERS.put(zoo, groups.stream().map(PruningGroup::leader).toList());
      SIZES.put(zoo, groups.stream().map(PruningGroup::size).toList());
    }

    static synchronized List<String> leaders(ZooModel zoo) {
      load(zoo);
      return LEADERS.get(zoo);
    }

    static synchronized int size(ZooModel zoo, int group) {
      load(zoo);
      return SIZES.get(zoo).get(group);
    }
  }

  /** (model, group index, leader): one case per group; one failing case for a groupless model. */
  static Stream<Arguments> everyGroup() {
    return SMALL.stream()
        .flatMap(
            zoo -> {
              List<String> leaders = Groups.leaders(zoo);
              if (leaders.isEmpty()) {
                return Stream.of(Arguments.of(zoo, -1, "(none)"));
              }
              return IntStream.range(0, leaders.size())
                  .mapToObj(i -> Arguments.of(zoo, i, leaders.get(i)));
            });
  }

  @ParameterizedTest(name = "{0} group {1} ''{2}''")
  @MethodSource("everyGroup")
  void everyGroupOnItsOwn(ZooModel zoo, int group, String leader) {
    assertTrue(group >= 0, zoo + " offers no prunable group");
    pruneAndCheck(zoo, group, leader, ZooPruning.SEED + group);
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
    pruneAndCheck(zoo, -1, null, ZooPruning.SEED);
  }

  private static void pruneAndCheck(ZooModel zoo, int groupIndex, String leader, long seed) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Tensor original = ZooPruning.run(zoo, model, input);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    List<PruningGroup> groups =
        groupIndex < 0 ? pruner.groups() : List.of(pruner.groups().get(groupIndex));
    if (groupIndex >= 0) {
      assertEquals(leader, groups.get(0).leader(), zoo + " group " + groupIndex + " moved");
      assertEquals(Groups.size(zoo, groupIndex), groups.get(0).size(), zoo + " group size");
    }
    Removal removal =
        groupIndex < 0
            ? ZooPruning.randomRemoval(groups, seed)
            : Removal.of(groups.get(0).id(), someChannels(groups.get(0), seed));
    String what = zoo + (groupIndex < 0 ? " all groups" : " group " + groups.get(0).describe());
    assertFalse(removal.isEmpty(), what + ": nothing to remove");
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

  /**
   * The seeded random subset of {@link ZooPruning#randomSubset}; where its fraction rounds to no
   * channel under the group's constraints (GROUPNORM_GROUPED's conv1 groups lose 8 channels at
   * least: 4 conv groups x 8 GroupNorm groups), the same scores with the smallest tenth that
   * removes something.
   */
  private static long[] someChannels(PruningGroup group, long seed) {
    long[] chosen = ZooPruning.randomSubset(group, new Random(seed));
    for (int tenths = 1; chosen.length == 0 && tenths < 10; tenths++) {
      Random r = new Random(seed);
      double[] scores = new double[group.size()];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = r.nextDouble();
      }
      chosen = GroupPlanner.choose(group, scores, tenths / 10.0, 0, 1);
    }
    return chosen;
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
