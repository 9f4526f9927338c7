package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesInexactly;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.rulenets.ConvOps;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link FactoryRule}: tensors made from sizes alone hold no channel; what they meet element by
 * element at full size is fixed with them, a broadcast one only makes an addition inexact.
 */
class FactoryRuleTest {

  /** a * ones(1, 8, 4, 4): the sizes in the call hold a's channel count, so a is fixed. */
  @Test
  void aFullSizeFactoryTensorFixesWhatItMeets() {
    Pruner p = pair(ConvOps.TIMES_ONES);
    assertEquals(List.of("b.weight"), leaders(p));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> group(p, "a"));
    assertEquals(
        "no prunable output channels for 'a' (ignored, fixed by the model's outputs or inputs, or"
            + " not in the trace)",
        e.getMessage());
  }

  /** a + zeros(1, 1, 4, 4): broadcast over channels, a stays prunable; the add is inexact. */
  @Test
  void aBroadcastFactoryTensorLeavesChannelsPrunable() {
    Pruner p = pair(ConvOps.PLUS_ZEROS_MAP);
    assertEquals(List.of("a.weight", "b.weight"), leaders(p));
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(Set.of("a constant is added at Tensor.add at <site>"), inexact(group(p, "a")));
    assertEquals(List.of(), patches(effects(p, "a", 1)), "zeros(1, 1, 4, 4) keeps its sizes");
    assertPrunesInexactly(p, "a", 1);
  }

  @Test
  void aFactoryOverloadThatReadsTensorsIsRefused() {
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                RuleHarness.pruner(
                    io.jprune.rulenets.ConvPair.of(ConvOps.LINSPACE_FROM_TENSORS),
                    io.jprune.rulenets.ConvPair.input()));
    assertEquals(
        "unsupported op torch.linspace at <site>: an overload of a factory that reads tensors",
        RuleHarness.site(e.getMessage()));
  }
}
