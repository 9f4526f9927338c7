package io.jprune.pruner.graph.rule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.rulenets.ConvOps;
import io.jprune.rulenets.ConvPair;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The rule tests' one way in: models are traced and graphed by a {@link Pruner} (the public
 * surface, so the rules and passes can move without these tests changing), and what the graph
 * decided is read back as plain strings with the call sites' locations replaced by {@code <site>}.
 */
final class RuleHarness {
  /** Pruned output vs masked original: max |diff| <= 1e-5 x max |output|. */
  static final double REL_TOL = 1e-5;

  private RuleHarness() {}

  /** Traces {@code model.forward(input)} and builds its graph. */
  static Pruner pruner(Module model, Tensor input) {
    return Pruner.builder(model).exampleInput(input).importance(Importances.magnitude(2)).build();
  }

  /** A {@link ConvPair} whose Linear head reads every element of the op's result. */
  static Pruner pair(ConvOps op) {
    return pruner(ConvPair.of(op), ConvPair.input());
  }

  /** A {@link ConvPair} whose 1x1 conv head reads the op's result by channel. */
  static Pruner convHead(ConvOps op) {
    return pruner(ConvPair.convHead(op), ConvPair.input());
  }

  /**
   * {@code text} with each rule-net call site ({@code pkg.Class.method(File.java:12)}) as <site>.
   */
  static String site(String text) {
    return text.replaceAll("io\\.jprune\\.rulenets\\.[\\w$.]+\\(\\w+\\.java:\\d+\\)", "<site>");
  }

  /** The group holding {@code layer}'s output channels. */
  static PruningGroup group(Pruner p, String layer) {
    return p.graph().groupOf(layer);
  }

  /** Leaders of every group, in group order. */
  static List<String> leaders(Pruner p) {
    return p.graph().groups().stream().map(PruningGroup::leader).toList();
  }

  /** Parameter slices per channel kind: {@code a.weight[0] OUTPUT -> 8}. */
  static Map<String, Integer> members(PruningGroup g) {
    return g.members();
  }

  /**
   * Members of a group of conv a's 8 channels: its rows and bias, and {@code headColumns} columns
   * of head (none: the key is left out).
   */
  static Map<String, Integer> aRows(int headColumns) {
    Map<String, Integer> m = new java.util.HashMap<>();
    m.put("a.weight[0] OUTPUT", 8);
    m.put("a.bias[0] OUTPUT", 8);
    if (headColumns > 0) {
      m.put("head.weight[1] INPUT", headColumns);
    }
    return m;
  }

  /** {@link #aRows} with conv b's rows and bias coupled to a's. */
  static Map<String, Integer> aAndBRows(int headColumns) {
    Map<String, Integer> m = aRows(headColumns);
    m.put("b.weight[0] OUTPUT", 8);
    m.put("b.bias[0] OUTPUT", 8);
    return m;
  }

  /**
   * Each constraint with its blocks: {@code ALIGNED over 2 blocks of 4 from op at <site> [[..]]}.
   */
  static List<String> constraints(PruningGroup g) {
    return g.constraints().stream().map(c -> site(c.toString()) + " " + c.blocks()).toList();
  }

  /** Why removing channels of the group is not exact (empty: it is). */
  static Set<String> inexact(PruningGroup g) {
    return g.inexactReasons().stream()
        .map(RuleHarness::site)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The group channel indices holding these output channels of {@code layer}. */
  static long[] channels(Pruner p, String layer, long... outputs) {
    return p.graph().channelsOf(group(p, layer), layer, outputs);
  }

  /** What removing these output channels of {@code layer} (with their group) changes. */
  static RemovalEffects effects(Pruner p, String layer, long... outputs) {
    return p.graph().effects(Map.of(group(p, layer).id(), channels(p, layer, outputs)));
  }

  /** What removing output channels of several layers (layer -> channels) at once changes. */
  static RemovalEffects effects(Pruner p, Map<String, long[]> byLayer) {
    return removal(p, byLayer).effectsIn(p.graph());
  }

  private static Removal removal(Pruner p, Map<String, long[]> byLayer) {
    Map<Integer, long[]> byGroup = new java.util.LinkedHashMap<>();
    byLayer.forEach(
        (layer, outputs) -> byGroup.put(group(p, layer).id(), channels(p, layer, outputs)));
    Removal.Builder removal = Removal.builder();
    byGroup.forEach(removal::put);
    return removal.build();
  }

  /** Every parameter cut: {@code a.weight[8, 3, 1, 1] -> [7, 3, 1, 1]}, in name order. */
  static List<String> cuts(RemovalEffects e) {
    return e.cuts().values().stream().map(Object::toString).sorted().toList();
  }

  /** Every argument rewrite at a call site: {@code arg1: 2 -> 1}. */
  static List<String> patches(RemovalEffects e) {
    return e.sitePatches().stream()
        .flatMap(s -> s.patches().stream())
        .map(Object::toString)
        .toList();
  }

  /**
   * Prunes these output channels of {@code layer} and asserts the pruned model computes what the
   * masked original does on the kept outputs.
   */
  static void assertPrunesExactly(Pruner p, String layer, long... outputs) {
    EquivalenceReport report = prune(p, layer, outputs);
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(REL_TOL), report.toString());
  }

  /** {@link #assertPrunesExactly} for several layers' channels at once (layer -> channels). */
  static void assertPrunesExactly(Pruner p, Map<String, long[]> byLayer) {
    EquivalenceReport report = p.pruneAndVerify(removal(p, byLayer));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(REL_TOL), report.toString());
  }

  /** Prunes and asserts the pruned model runs, but is not expected to equal the masked one. */
  static EquivalenceReport assertPrunesInexactly(Pruner p, String layer, long... outputs) {
    EquivalenceReport report = prune(p, layer, outputs);
    assertFalse(report.exactExpected(), report.toString());
    assertFalse(Double.isNaN(report.maxAbsDiff()), report.toString());
    return report;
  }

  /** Prunes these output channels of {@code layer} (with their group) and compares. */
  static EquivalenceReport prune(Pruner p, String layer, long... outputs) {
    return p.pruneAndVerify(Removal.of(group(p, layer).id(), channels(p, layer, outputs)));
  }
}
