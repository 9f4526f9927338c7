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
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.Pruner;
import io.jprune.rulenets.ConvOps;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link PadRule} on a pad of conv a's output ([1, 8, 4, 4]) read element by element: padded
 * elements belong to the channel they border, padding along channels adds fixed ones, and a
 * non-zero constant makes the removal inexact. Amounts never change at the call site.
 */
class PadRuleTest {

  /** 1 on every side of H and W: each channel owns 6 x 6 = 36 head columns. */
  @Test
  void spatialZeroPaddingBelongsToItsChannel() {
    Pruner p = pair(ConvOps.PAD_SPATIAL);
    assertEquals(aRows(288), members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertEquals(List.of(), patches(effects(p, "a", 3)));
    assertPrunesExactly(p, "a", 3, 4);
  }

  @Test
  void reflectPaddingCopiesTheChannelsOwnValues() {
    Pruner p = pair(ConvOps.PAD_REFLECT);
    assertEquals(288, members(group(p, "a")).get("head.weight[1] INPUT"));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertPrunesExactly(p, "a", 6);
  }

  @Test
  void aNonZeroConstantIsInexact() {
    Pruner p = pair(ConvOps.PAD_SPATIAL_HALF);
    assertEquals(
        Set.of("constant_pad_nd with a non-zero constant at <site>"), inexact(group(p, "a")));
    assertPrunesInexactly(p, "a", 6);
  }

  /** (1, 2) along channels: 11 channels, of which the 3 padded ones (48 columns) are fixed. */
  @Test
  void paddingAlongChannelsAddsFixedChannels() {
    Pruner p = pair(ConvOps.PAD_CHANNELS);
    assertEquals(8, group(p, "a").size());
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(
        List.of(
            "a.bias[8] -> [7]",
            "a.weight[8, 3, 1, 1] -> [7, 3, 1, 1]",
            "head.weight[5, 176] -> [5, 160]"),
        cuts(effects(p, "a", 0)));
    assertEquals(List.of(), patches(effects(p, "a", 0)), "the amounts stay (0, 0, 0, 0, 1, 2)");
    assertPrunesExactly(p, "a", 0);
  }
}
