package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.Pruner;
import io.jprune.rulenets.ConvOps;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelwiseRule}: pooling and upsampling work per channel, so output channel c is input
 * channel c and owns its (resized) map's head columns; no argument changes.
 */
class ChannelwiseRuleTest {

  /** max_pool2d(2, 2): 2 x 2 per channel. */
  @Test
  void maxPoolKeepsEachChannel() {
    Pruner p = pair(ConvOps.MAX_POOL);
    assertEquals(aRows(32), members(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [7]",
            "a.weight[8, 3, 1, 1] -> [7, 3, 1, 1]",
            "head.weight[5, 32] -> [5, 28]"),
        cuts(effects(p, "a", 3)));
    assertEquals(List.of(), patches(effects(p, "a", 3)));
    assertPrunesExactly(p, "a", 3);
  }

  @Test
  void adaptiveAvgPoolKeepsEachChannel() {
    Pruner p = pair(ConvOps.ADAPTIVE_AVG_POOL);
    assertEquals(8, members(group(p, "a")).get("head.weight[1] INPUT"));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertPrunesExactly(p, "a", 0, 1, 2);
  }

  /** upsample_nearest2d to 8 x 8: 64 columns per channel. */
  @Test
  void upsampleKeepsEachChannel() {
    Pruner p = pair(ConvOps.UPSAMPLE);
    assertEquals(512, members(group(p, "a")).get("head.weight[1] INPUT"));
    assertEquals(List.of(), patches(effects(p, "a", 5)), "the output size stays 8 x 8");
    assertPrunesExactly(p, "a", 5);
  }
}
