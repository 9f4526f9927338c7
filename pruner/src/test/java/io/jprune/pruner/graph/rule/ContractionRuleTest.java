package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
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
import io.jprune.rulenets.SeqNets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ContractionRule} on attention over tokens [1, 4, 6] and on {@code x.matmul(w)}: the
 * contracted index ties q's channel to k's, softmax(q kᵀ) v keeps v's channels, heads made by a
 * reshape that reaches a matmul may go whole, and a registered right operand is a layer.
 */
class ContractionRuleTest {

  @Test
  void queryAndKeyChannelsAreContractedTogether() {
    Pruner p = pruner(new SeqNets.Attention(1), SeqNets.tokens());
    assertEquals(List.of("q.weight", "v.weight"), leaders(p));
    assertEquals(
        Map.of(
            "q.weight[0] OUTPUT", 8,
            "q.bias[0] OUTPUT", 8,
            "k.weight[0] OUTPUT", 8,
            "k.bias[0] OUTPUT", 8),
        members(group(p, "q")));
    assertEquals(
        Map.of("v.weight[0] OUTPUT", 8, "v.bias[0] OUTPUT", 8, "head.weight[1] INPUT", 8),
        members(group(p, "v")));
    assertEquals(Set.of(), inexact(group(p, "q")));
    assertEquals(
        List.of(
            "k.bias[8] -> [7]",
            "k.weight[8, 6] -> [7, 6]",
            "q.bias[8] -> [7]",
            "q.weight[8, 6] -> [7, 6]"),
        cuts(effects(p, "q", 3)));
    assertPrunesExactly(p, "q", 3);
  }

  @Test
  void valueChannelsPassThroughTheScores() {
    Pruner p = pruner(new SeqNets.Attention(1), SeqNets.tokens());
    assertEquals(
        List.of("head.weight[3, 8] -> [3, 6]", "v.bias[8] -> [6]", "v.weight[8, 6] -> [6, 6]"),
        cuts(effects(p, "v", 0, 5)));
    assertPrunesExactly(p, "v", 0, 5);
  }

  /**
   * Two heads of 4: aligned positions, or whole heads, where a whole head goes from q, k and v
   * together; the head split is rewritten at its one call site for each of the three calls.
   */
  @Test
  void headsFromAReshapeMayGoWholeOrAligned() {
    Pruner p = pruner(new SeqNets.Attention(2), SeqNets.tokens());
    String heads =
        "ALIGNED(or whole blocks) over 2 blocks of 4 from Tensor.reshape at <site>"
            + " [[0, 1, 2, 3], [4, 5, 6, 7]]";
    assertEquals(List.of(heads), constraints(group(p, "q")));
    assertEquals(List.of(heads), constraints(group(p, "v")));
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "v", 1));
    assertEquals(
        "the removal leaves t11[1, 4, 2, 4] (at Tensor.reshape <site>) without a dense shape:"
            + " blocks such as heads or groups would lose different numbers of channels",
        site(e.getMessage()));
    assertEquals(
        List.of("arg0: [1, 4, 2, 4] -> [1, 4, 2, 3]", "arg0: [1, 4, 8] -> [1, 4, 6]"),
        patches(effects(p, "v", 1, 5)));
    PlanException alone = assertThrows(PlanException.class, () -> effects(p, "v", 4, 5, 6, 7));
    assertEquals(
        "Tensor.matmul at <site> would multiply [1, 2, 4, 4] by [1, 1, 4, 4] (batch dims [1, 2]"
            + " and [1, 1]) into [1, 1, 4, 4]: the removal takes different heads or batch entries"
            + " from the two operands (was t9[1, 2, 4, 4] @ t12[1, 2, 4, 4])",
        site(alone.getMessage()));
    Map<String, long[]> head1 = Map.of("q", new long[] {4, 5, 6, 7}, "v", new long[] {4, 5, 6, 7});
    assertEquals(
        List.of(
            "arg0: [1, 4, 2, 4] -> [1, 4, 1, 4]",
            "arg0: [1, 4, 2, 4] -> [1, 4, 1, 4]",
            "arg0: [1, 4, 2, 4] -> [1, 4, 1, 4]",
            "arg0: [1, 4, 8] -> [1, 4, 4]"),
        patches(effects(p, head1)));
    assertPrunesExactly(p, head1);
  }

  @Test
  void headDimsOfQueryAndKeyGoTogether() {
    Pruner p = pruner(new SeqNets.Attention(2), SeqNets.tokens());
    assertEquals(
        List.of("arg0: [1, 4, 2, 4] -> [1, 4, 2, 3]", "arg0: [1, 4, 2, 4] -> [1, 4, 2, 3]"),
        patches(effects(p, "q", 2, 6)));
    assertPrunesExactly(p, "q", 2, 6);
  }

  /** x.matmul(w), w [6, 8] registered: w's columns are the outputs. */
  @Test
  void aRegisteredRightOperandIsALayer() {
    Pruner p = pruner(new SeqNets.MatmulLayer(false), SeqNets.tokens());
    assertEquals(List.of("w"), leaders(p));
    assertEquals(Map.of("w[1] OUTPUT", 8, "head.weight[1] INPUT", 8), members(group(p, "w")));
    assertEquals(
        List.of("head.weight[3, 8] -> [3, 7]", "w[6, 8] -> [6, 7]"), cuts(effects(p, "w", 6)));
    assertPrunesExactly(p, "w", 6);
  }

  /** w also read by w.sum(): kept whole, so nothing in the model is prunable. */
  @Test
  void aParameterWithASecondReaderIsKeptWhole() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> pruner(new SeqNets.MatmulLayer(true), SeqNets.tokens()));
    assertEquals(
        "nothing to prune: no channel of MatmulLayer can be removed (its inputs and outputs, and"
            + " what jprune keeps whole, fix every channel)",
        e.getMessage());
  }
}
