package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.Pruner;
import io.jprune.rulenets.ConvOps;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ReductionRule}: a reduction that keeps channels apart (over space) keeps them prunable and
 * exact; one across channels gives derived elements, exact only for a sum.
 */
class ReductionRuleTest {

  /** mean over H, W: [1, 8], one head column per channel. */
  @Test
  void meanOverSpaceKeepsChannels() {
    Pruner p = pair(ConvOps.MEAN_SPATIAL);
    assertEquals(aRows(1 * 8), members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [6]",
            "a.weight[8, 3, 1, 1] -> [6, 3, 1, 1]",
            "head.weight[5, 8] -> [5, 6]"),
        cuts(effects(p, "a", 1, 2)));
    assertPrunesExactly(p, "a", 1, 2);
  }

  /** sum over channels: [1, 4, 4] derived from every channel; head keeps all its columns. */
  @Test
  void sumAcrossChannelsIsDerivedAndExact() {
    Pruner p = pair(ConvOps.SUM_CHANNELS);
    assertEquals(aRows(0), members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertEquals(
        List.of("a.bias[8] -> [7]", "a.weight[8, 3, 1, 1] -> [7, 3, 1, 1]"),
        cuts(effects(p, "a", 5)));
    assertPrunesExactly(p, "a", 5);
  }

  @Test
  void meanAcrossChannelsIsInexact() {
    Pruner p = pair(ConvOps.MEAN_CHANNELS);
    assertEquals(aRows(0), members(group(p, "a")));
    assertEquals(Set.of("mean across channels at <site>"), inexact(group(p, "a")));
    assertPrunesInexactly(p, "a", 5);
  }
}
