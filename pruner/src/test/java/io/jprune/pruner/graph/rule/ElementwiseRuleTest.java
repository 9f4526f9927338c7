package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aAndBRows;
import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static io.jprune.pruner.graph.rule.RuleHarness.site;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.rulenets.ConvOps;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ElementwiseRule} on one op between convs a, b ([1, 8, 4, 4] each) and a Linear head over
 * every element: which channels an op couples, and which removals it makes inexact.
 */
class ElementwiseRuleTest {
  /** a's 8 rows and bias, b's too, and head's 128 columns: one channel per (a, b) row pair. */
  private static final Map<String, Integer> A_AND_B = aAndBRows(128);

  private static final Map<String, Integer> A_ONLY = aRows(128);

  @Test
  void addCouplesChannelCOfBothOperands() {
    Pruner p = pair(ConvOps.ADD);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(A_AND_B, members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [6]",
            "a.weight[8, 3, 1, 1] -> [6, 3, 1, 1]",
            "b.bias[8] -> [6]",
            "b.weight[8, 3, 1, 1] -> [6, 3, 1, 1]",
            "head.weight[5, 128] -> [5, 96]"),
        cuts(effects(p, "a", 2, 5)));
    assertEquals(List.of(), patches(effects(p, "a", 2, 5)));
    assertPrunesExactly(p, "a", 2, 5);
  }

  @Test
  void reluKeepsChannelsApartAndExact() {
    Pruner p = pair(ConvOps.RELU);
    assertEquals(List.of("a.weight", "b.weight"), leaders(p));
    assertEquals(A_ONLY, members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertPrunesExactly(p, "a", 0, 7);
  }

  @Test
  void sigmoidMapsZeroToNonZero() {
    Pruner p = pair(ConvOps.SIGMOID);
    assertEquals(A_ONLY, members(group(p, "a")));
    assertEquals(
        Set.of("sigmoid maps 0 to non-zero at Tensor.sigmoid at <site>"), inexact(group(p, "a")));
    assertPrunesInexactly(p, "a", 1);
  }

  @Test
  void addingAScalarIsInexact() {
    Pruner p = pair(ConvOps.ADD_ONE);
    assertEquals(Set.of("add maps 0 to non-zero at Tensor.add at <site>"), inexact(group(p, "a")));
  }

  /**
   * A constant [1, 8, 1, 1] made from sizes alone is added per channel: the removal is marked
   * inexact, and planning refuses it because the constant keeps 8 channels.
   */
  @Test
  void aBroadcastConstantIsInexactAndCannotFollowTheCut() {
    Pruner p = pair(ConvOps.ADD_BROADCAST_CONSTANT);
    assertEquals(A_ONLY, members(group(p, "a")));
    assertEquals(Set.of("a constant is added at Tensor.add at <site>"), inexact(group(p, "a")));
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "a", 0));
    assertEquals(
        "Tensor.add at <site> cannot broadcast the pruned operand [1, 8, 1, 1] (was [1, 8, 1, 1])"
            + " to the pruned output [1, 7, 4, 4] (was [1, 8, 4, 4])",
        site(e.getMessage()));
  }

  @Test
  void divisionCouplesAndIsInexact() {
    Pruner p = pair(ConvOps.DIV);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(A_AND_B, members(group(p, "a")));
    assertEquals(Set.of("division at Tensor.div at <site>"), inexact(group(p, "a")));
  }

  /** b's per-channel mean [1, 8, 1, 1] broadcast over a's maps: channel c of a and of b couple. */
  @Test
  void aPrunableBroadcastOperandCouplesPerChannel() {
    Pruner p = pair(ConvOps.GATE);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(A_AND_B, members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertPrunesExactly(p, "b", 3, 4);
  }
}
