package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aAndBRows;
import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
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
 * {@link ExtremumRule}: {@code max} of two tensors is element-wise (couples them), {@code max(dim)}
 * of one is a reduction (values and indices labelled alike).
 */
class ExtremumRuleTest {

  @Test
  void maxOfTwoTensorsCouplesThem() {
    Pruner p = pair(ConvOps.MAX_PAIR);
    assertEquals(List.of("a.weight"), leaders(p));
    assertEquals(aAndBRows(128), members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertPrunesExactly(p, "a", 2, 3);
  }

  /** max over the flattened H x W: [1, 8] values, one head column per channel. */
  @Test
  void maxOverSpaceKeepsChannels() {
    Pruner p = pair(ConvOps.MAX_SPATIAL);
    assertEquals(aRows(8), members(group(p, "a")));
    assertEquals(Set.of(), inexact(group(p, "a")));
    assertEquals(List.of(), patches(effects(p, "a", 0)));
    assertPrunesExactly(p, "a", 0, 7);
  }

  @Test
  void maxAcrossChannelsIsInexact() {
    Pruner p = pair(ConvOps.MAX_CHANNELS);
    assertEquals(aRows(0), members(group(p, "a")));
    assertEquals(Set.of("max across channels at <site>"), inexact(group(p, "a")));
    assertPrunesInexactly(p, "a", 4);
  }
}
