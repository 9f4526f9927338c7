package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.inexact;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static io.jprune.pruner.graph.rule.RuleHarness.pruner;
import static io.jprune.pruner.graph.rule.RuleHarness.site;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.rulenets.ConvOps;
import io.jprune.rulenets.ConvPair;
import io.jprune.rulenets.ModuleNets.After;
import io.jprune.rulenets.ModuleNets.ConvThen;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link OpCatalog}: an op without a rule is refused by name and call site, queries that return no
 * tensor are not, and a module kind that behaves like an op is labelled by that op's rule.
 */
class OpCatalogTest {

  @Test
  void anOpWithoutARuleIsRefused() {
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () -> pruner(ConvPair.of(ConvOps.CUMSUM), ConvPair.input()));
    assertEquals(
        "unsupported op Tensor.cumsum at <site>: no channel rule is known for it; jprune refuses"
            + " rather than guessing",
        site(e.getMessage()));
  }

  /** a.size(1) returns a long: no rule needed; the 8 it gave is rewritten in the reshape. */
  @Test
  void aSizeQueryIsNotAnOpAndItsValueIsRewritten() {
    Pruner p = pair(ConvOps.RESHAPE_BY_SIZE);
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(List.of("arg0: [1, 8, -1] -> [1, 6, -1]"), patches(effects(p, "a", 2, 3)));
    assertPrunesExactly(p, "a", 2, 3);
  }

  /**
   * SigmoidImpl is labelled by the sigmoid op's rule, so the module is inexact like the op (the
   * reason names the call, {@code forward}, not the module path).
   */
  @Test
  void aModuleThatBehavesLikeAnOpUsesItsRule() {
    Pruner p = pruner(new ConvThen(After.SIGMOID), ConvPair.input());
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(
        Set.of("forward maps 0 to non-zero at SigmoidImpl.forward at <site>"),
        inexact(group(p, "a")));
  }
}
