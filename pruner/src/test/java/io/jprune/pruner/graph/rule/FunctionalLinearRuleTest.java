package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pruner;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.rulenets.SeqNets;
import io.jprune.rulenets.SeqNets.Functional;
import io.jprune.rulenets.SeqNets.FunctionalLayer;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionalLinearRule}: {@code torch.linear(x, w, b)} prunes w's rows and b, {@code
 * torch.addmm(b, x, wt)} wt's columns and b, like a LinearImpl; a weight with another reader is
 * kept whole.
 */
class FunctionalLinearRuleTest {

  private static Tensor input() {
    return SeqNets.tokens().reshape(4, 6);
  }

  @Test
  void linearPrunesWeightRowsAndBias() {
    Pruner p = pruner(new FunctionalLayer(Functional.LINEAR), input());
    assertEquals(List.of("w"), leaders(p));
    assertEquals(
        Map.of("w[0] OUTPUT", 8, "b[0] OUTPUT", 8, "head.weight[1] INPUT", 8),
        members(group(p, "w")));
    assertEquals(
        List.of("b[8] -> [6]", "head.weight[3, 8] -> [3, 6]", "w[8, 6] -> [6, 6]"),
        cuts(effects(p, "w", 0, 4)));
    assertPrunesExactly(p, "w", 0, 4);
  }

  @Test
  void addmmPrunesWeightColumnsAndBias() {
    Pruner p = pruner(new FunctionalLayer(Functional.ADDMM), input());
    assertEquals(List.of("wt"), leaders(p));
    assertEquals(
        Map.of("wt[1] OUTPUT", 8, "b[0] OUTPUT", 8, "head.weight[1] INPUT", 8),
        members(group(p, "wt")));
    assertEquals(
        List.of("b[8] -> [7]", "head.weight[3, 8] -> [3, 7]", "wt[6, 8] -> [6, 7]"),
        cuts(effects(p, "wt", 7)));
    assertPrunesExactly(p, "wt", 7);
  }

  @Test
  void aWeightWithASecondReaderIsKeptWhole() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> pruner(new FunctionalLayer(Functional.TIED), input()));
    assertEquals(
        "nothing to prune: no channel of FunctionalLayer can be removed (its inputs and outputs,"
            + " and what jprune keeps whole, fix every channel)",
        e.getMessage());
  }
}
