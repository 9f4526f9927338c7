package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.GroupProposal;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.zoo.ZooModel;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Iterative steps, global ranking, round_to, cost targets and refusals, on real zoo models. */
class PrunerOptionsTest {
  private static final long SEED = 3;

  private static PrunerBuilder resnet18(Module[] holder) {
    ZooModel zoo = ZooModel.RESNET18;
    Module model = zoo.create(SEED);
    Tensor x = zoo.exampleInput(SEED);
    holder[0] = model;
    return Pruner.builder(model)
        .forward(() -> zoo.forward(model, x))
        .importance(Importances.magnitude(2))
        .ignore("fc");
  }

  private static long outChannels(Module model, String conv) {
    return ModelTensors.of(model).get(conv + ".weight").size(0);
  }

  @Test
  void fiveStepsReachTheRatioExactly() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).ratio(0.5).steps(5).build();
    List<?> steps = pruner.pruneAll();
    assertEquals(5, steps.size());
    assertEquals(32, outChannels(m[0], "layer1.0.conv1"));
    assertEquals(64, outChannels(m[0], "layer2.1.conv1"));
    assertEquals(256, outChannels(m[0], "layer4.0.conv2"));
    assertEquals(32, outChannels(m[0], "conv1"));
    assertEquals(
        3_055_880,
        ModelCost.of(pruner.graph().trace()).params(),
        "5 steps of 10% land where one step of 50% does");
  }

  @Test
  void verifiedStepsProveEachStepAndLandWhereUnverifiedOnesDo() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).ratio(0.5).steps(2).build();
    for (int s = 1; s <= 2; s++) {
      VerifiedStep v = pruner.stepAndVerify();
      assertEquals(s, v.step().step());
      assertTrue(v.equivalence().exactExpected(), v.equivalence().toString());
      assertTrue(v.equivalence().agrees(1e-5), "step " + s + ": " + v.equivalence());
      assertTrue(v.passes(1e-5));
    }
    assertEquals(
        3_055_880,
        ModelCost.of(pruner.graph().trace()).params(),
        "verified steps prune what plain steps do");
    IllegalStateException e = assertThrows(IllegalStateException.class, pruner::stepAndVerify);
    assertEquals("all 2 steps are done", e.getMessage());
  }

  @Test
  void roundToKeepsMultiplesOfEight() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).ratio(0.3).roundTo(8).build();
    pruner.pruneAll();
    for (Map.Entry<String, Tensor> e : ModelTensors.parameters(m[0]).entrySet()) {
      if (e.getKey().endsWith("conv1.weight") || e.getKey().endsWith("conv2.weight")) {
        assertEquals(0, e.getValue().size(0) % 8, e.getKey() + " has " + e.getValue().size(0));
      }
    }
    assertEquals(48, outChannels(m[0], "layer1.0.conv1"), "64 * 0.7 = 44.8 -> 48");
  }

  @Test
  void globalRankingRemovesTheRatioOverAllGroupsUnevenly() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).ratio(0.4).global(true).build();
    int total = pruner.groups().stream().mapToInt(GroupPlanner::unitCount).sum();
    Removal plan = pruner.proposal();
    long removed = plan.channelCount();
    assertEquals(Math.round(0.4 * total), removed, "global count over " + total + " channels");
    long distinctFractions =
        plan.groups().stream()
            .map(
                id ->
                    Math.round(100.0 * plan.removed(id).length() / pruner.graph().group(id).size()))
            .distinct()
            .count();
    assertTrue(distinctFractions > 1, "groups lose different fractions under global ranking");
    pruner.pruneAll();
    assertTrue(outChannels(m[0], "layer1.0.conv1") < 64);
  }

  @Test
  void macsTargetIsMetWithinTwoPercent() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).targetMacsReduction(0.5).build();
    long before = ModelCost.of(pruner.graph().trace()).macs();
    pruner.pruneAll();
    long after = ModelCost.of(pruner.graph().trace()).macs();
    double reached = 1 - (double) after / before;
    assertTrue(Math.abs(reached - 0.5) <= 0.02, "MACs " + before + " -> " + after);
  }

  @Test
  void unreachableTargetIsRefusedBeforeAnyChange() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).targetParamsReduction(0.999).build();
    Map<String, Tensor> before = ZooPruning.snapshot(m[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, pruner::step);
    assertTrue(
        e.getMessage()
            .startsWith(
                "the PARAMS target (-100%) cannot be met: removing 95%"
                    + " of every group's channels leaves "),
        e.getMessage());
    ZooPruning.assertUnchanged(before, m[0]);
  }

  @Test
  void interactiveProposalsPruneOneGroupAtATime() {
    Module[] m = new Module[1];
    Pruner pruner = resnet18(m).ratio(0.25).build();
    List<GroupProposal> proposals = pruner.interactive();
    assertEquals(12, proposals.size(), "every ResNet-18 group has a proposal");
    GroupProposal chosen =
        proposals.stream()
            .filter(p -> p.group().leader().equals("layer1.0.conv1.weight"))
            .findFirst()
            .orElseThrow();
    assertEquals(16, chosen.channels().length());
    chosen.prune();
    assertEquals(48, outChannels(m[0], "layer1.0.conv1"));
    assertEquals(64, outChannels(m[0], "layer1.1.conv1"), "the skipped groups are untouched");
    assertEquals(64, outChannels(m[0], "conv1"));
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void vitHalvedInTwoStepsKeepsHeadsWhole(ZooModel zoo) {
    Module model = zoo.create(SEED);
    Tensor x = zoo.exampleInput(SEED);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> zoo.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .headRatio(0.5)
            .steps(2)
            .ignore("head")
            .build();
    pruner.pruneAll();
    Tensor out = ZooPruning.run(zoo, model, x);
    assertEquals(1000, out.size(1), "the unmodified forward runs after two steps");
    for (int b = 0; b < 12; b++) {
      long qkvRows = ModelTensors.of(model).get("blocks." + b + ".attn.qkv.weight").size(0);
      long projIn = ModelTensors.of(model).get("blocks." + b + ".attn.proj.weight").size(1);
      assertEquals(0, qkvRows % 3, "q, k and v keep equal widths");
      assertEquals(qkvRows / 3, projIn, "v width feeds proj");
      PruningGroup g = pruner.graph().groupOf("blocks." + b + ".attn.qkv");
      assertEquals(3, GroupPlanner.headCount(g), "half of the 6 heads are left");
      assertEquals(0, projIn % 3, "every head has the same width");
    }
    assertNotEquals(384, ModelTensors.of(model).get("norm.weight").size(0));
  }
}
