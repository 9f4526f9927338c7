package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static io.jprune.pruner.graph.rule.RuleHarness.pruner;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.Pruner;
import io.jprune.rulenets.ConvOps;
import io.jprune.rulenets.SeqNets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SoftmaxRule}: softmax keeps elements in place; over a channel's own elements or across
 * channels its removal is inexact, over derived attention scores it leaves channels exact.
 */
class SoftmaxRuleTest {

  /**
   * softmax over W keeps each channel's elements in place, but a removed channel's zeros come out
   * of the masked original as 1/4 each, which head reads: inexact (the rule once claimed exact
   * here, and the pruned output differed from the masked one by 0.134 of max |output| 0.313).
   */
  @Test
  void softmaxWithinAChannelKeepsItButMapsZeroToNonZero() {
    Pruner p = pair(ConvOps.SOFTMAX_SPATIAL);
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(Set.of("softmax maps 0 to non-zero at <site>"), inexact(group(p, "a")));
    assertEquals(List.of(), patches(effects(p, "a", 2)));
    assertPrunesInexactly(p, "a", 2);
  }

  /** Attention scores are derived from q and k together: softmax over them leaves q, k exact. */
  @Test
  void softmaxOverDerivedScoresKeepsChannelsExact() {
    Pruner p = pruner(new SeqNets.Attention(1), SeqNets.tokens());
    assertEquals(Set.of(), inexact(group(p, "q")));
    assertEquals(Set.of(), inexact(group(p, "v")));
    assertPrunesExactly(p, "q", 0, 1);
  }

  @Test
  void softmaxAcrossChannelsIsInexact() {
    Pruner p = pair(ConvOps.SOFTMAX_CHANNELS);
    assertEquals(128, members(group(p, "a")).get("head.weight[1] INPUT"));
    assertEquals(Set.of("softmax across channels at <site>"), inexact(group(p, "a")));
    assertPrunesInexactly(p, "a", 2);
  }

  @Test
  void logSoftmaxAcrossChannelsIsInexact() {
    Pruner p = pair(ConvOps.LOG_SOFTMAX_CHANNELS);
    assertEquals(Set.of("log_softmax across channels at <site>"), inexact(group(p, "a")));
  }
}
