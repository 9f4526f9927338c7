package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.constraints;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static io.jprune.pruner.graph.rule.RuleHarness.pruner;
import static io.jprune.pruner.graph.rule.RuleHarness.site;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.surgery.ModelDigest;
import io.jprune.rulenets.ConvPair;
import io.jprune.rulenets.ModuleNets.After;
import io.jprune.rulenets.ModuleNets.ConvThen;
import io.jprune.rulenets.ModuleNets.LinearNorm;
import io.jprune.rulenets.SeqNets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ModuleKindRule}: a built-in module after conv a ([1, 8, 4, 4]) is labelled by its
 * ModuleKind: BatchNorm's affine and running stats follow the channel, a depthwise conv couples its
 * rows to a's, GroupNorm's groups lose equally (or go whole), norms across channels are inexact,
 * and a module no kind describes is refused.
 */
class ModuleKindRuleTest {

  private static Pruner after(After m) {
    return pruner(new ConvThen(m), ConvPair.input());
  }

  @Test
  void batchNormAffineAndRunningStatsFollowTheChannel() {
    Pruner p = after(After.BATCH_NORM);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(
        Map.of(
            "a.weight[0] OUTPUT", 8,
            "a.bias[0] OUTPUT", 8,
            "m.weight[0] OUTPUT", 8,
            "m.bias[0] OUTPUT", 8,
            "m.running_mean[0] STATE", 8,
            "m.running_var[0] STATE", 8,
            "head.weight[1] INPUT", 128),
        members(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [7]",
            "a.weight[8, 3, 1, 1] -> [7, 3, 1, 1]",
            "head.weight[5, 128] -> [5, 112]",
            "m.bias[8] -> [7]",
            "m.running_mean[8] -> [7]",
            "m.running_var[8] -> [7]",
            "m.weight[8] -> [7]"),
        cuts(effects(p, "a", 2)));
    assertPrunesExactly(p, "a", 2);
  }

  @Test
  void depthwiseConvRowsFollowTheirInputChannel() {
    Pruner p = after(After.DEPTHWISE);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(
        Map.of(
            "a.weight[0] OUTPUT", 8,
            "a.bias[0] OUTPUT", 8,
            "m.weight[0] OUTPUT", 8,
            "m.bias[0] OUTPUT", 8,
            "head.weight[1] INPUT", 128),
        members(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [6]",
            "a.weight[8, 3, 1, 1] -> [6, 3, 1, 1]",
            "head.weight[5, 128] -> [5, 96]",
            "m.bias[8] -> [6]",
            "m.weight[8, 1, 3, 3] -> [6, 1, 3, 3]"),
        cuts(effects(p, "a", 1, 6)));
    assertPrunesExactly(p, "a", 1, 6);
  }

  @Test
  void groupNormGroupsLoseEquallyOrGoWhole() {
    Pruner p = after(After.GROUP_NORM);
    assertEquals(
        List.of(
            "EQUAL_COUNT(or whole blocks) over 2 blocks of 4 from GroupNorm m (2 groups)"
                + " [[0, 1, 2, 3], [4, 5, 6, 7]]"),
        constraints(group(p, "a")));
    assertEquals(Set.of("GroupNormImpl m normalises across channels"), inexact(group(p, "a")));
    assertEquals(
        Map.of(
            "a.weight[0] OUTPUT", 8,
            "a.bias[0] OUTPUT", 8,
            "m.weight[0] OUTPUT", 8,
            "m.bias[0] OUTPUT", 8,
            "head.weight[1] INPUT", 128),
        members(group(p, "a")));
    assertPrunesInexactly(p, "a", 0, 5);
  }

  @Test
  void aWholeGroupNormGroupMayGo() {
    Pruner p = after(After.GROUP_NORM);
    assertEquals(
        List.of(
            "a.bias[8] -> [4]",
            "a.weight[8, 3, 1, 1] -> [4, 3, 1, 1]",
            "head.weight[5, 128] -> [5, 64]",
            "m.bias[8] -> [4]",
            "m.weight[8] -> [4]"),
        cuts(effects(p, "a", 4, 5, 6, 7)));
    assertPrunesInexactly(p, "a", 4, 5, 6, 7);
  }

  @Test
  void groupNormRefusesUnequalGroups() {
    Pruner p = after(After.GROUP_NORM);
    String before = ModelDigest.of(p.model());
    PlanException e = assertThrows(PlanException.class, () -> RuleHarness.prune(p, "a", 0));
    assertEquals(
        "GroupNorm m would lose different numbers of channels per group [1, 0]: every group must"
            + " lose as many, or whole groups go",
        e.getMessage());
    assertEquals(before, ModelDigest.of(p.model()), "a refused prune leaves the model as it was");
  }

  @Test
  void preluWeightFollowsTheChannel() {
    Pruner p = after(After.PRELU);
    assertEquals(
        Map.of(
            "a.weight[0] OUTPUT", 8,
            "a.bias[0] OUTPUT", 8,
            "m.weight[0] STATE", 8,
            "head.weight[1] INPUT", 128),
        members(group(p, "a")));
    assertPrunesExactly(p, "a", 3);
  }

  @Test
  void layerNormAcrossChannelsIsInexact() {
    Pruner p = pruner(new LinearNorm(), SeqNets.tokens());
    assertEquals(
        Map.of(
            "fc.weight[0] OUTPUT", 8,
            "fc.bias[0] OUTPUT", 8,
            "norm.weight[0] OUTPUT", 8,
            "norm.bias[0] OUTPUT", 8,
            "head.weight[1] INPUT", 8),
        members(group(p, "fc")));
    assertEquals(Set.of("LayerNormImpl norm normalises across channels"), inexact(group(p, "fc")));
    assertEquals(List.of(), patches(effects(p, "fc", 2)));
    assertPrunesInexactly(p, "fc", 2);
  }

  @Test
  void aModuleNoKindDescribesIsRefused() {
    UnsupportedOpException e =
        assertThrows(UnsupportedOpException.class, () -> after(After.LOCAL_RESPONSE_NORM));
    assertEquals(
        "unsupported op LocalResponseNormImpl.forward (m) at <site>: no channel rule is known for"
            + " it; jprune refuses rather than guessing (describe it with a ModuleKind registered"
            + " on the Pruner builder)",
        site(e.getMessage()));
  }
}
