package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.StepReport;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.DrawnGraph;
import io.jprune.pruner.report.GroupFacts;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.report.PruningOutcome;
import io.jprune.pruner.report.PruningReport;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.zoo.ZooModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The report's numbers on real zoo models: the ViT's qkv group explained in numbers that add up,
 * the widths the report composes from the steps' cuts equal to the pruned model's shapes, and the
 * drawing holding every traced module call once with no two boxes of a scope overlapping.
 */
class ReportFactsTest {

  @Test
  void vitQkvGroupAddsUpBeforeAndAfter() {
    Module model = ZooModel.VIT_S_SELECT.create(ZooPruning.SEED);
    Pruner pruner = l2HalfPruner(ZooModel.VIT_S_SELECT, model, 1);
    DependencyGraph original = pruner.graph();
    StepReport step = pruner.step();
    PruningOutcome outcome = outcome(original.trace(), pruner, List.of(step));
    GroupFacts qkv =
        GroupFacts.of(
            original.groupOf("blocks.0.attn.qkv"), original.trace(), Optional.of(outcome));

    assertEquals("768 channels = 384 q+k + 384 v; 6 heads x 64 head_dim; 64 units", qkv.headline());
    assertEquals(
        List.of(
            "blocks.0.attn.qkv.weight[0] OUTPUT: 384 x 2 (q+k) + 384 x 1 (v) = 1152 of 1152",
            "blocks.0.attn.qkv.bias[0] OUTPUT: 384 x 2 (q+k) + 384 x 1 (v) = 1152 of 1152",
            "blocks.0.attn.proj.weight[1] INPUT: 384 x 1 (v) = 384 of 384"),
        qkv.sums());
    GroupFacts.Heads heads = qkv.heads().orElseThrow();
    assertEquals(3, heads.branches());
    assertEquals(6, heads.count());
    assertEquals(64, heads.dim());
    assertEquals(3, heads.removedHeads().length(), "head ratio 0.5");
    long[] qkvWeight = ZooPruning.shape(ModelTensors.of(model).get("blocks.0.attn.qkv.weight"));
    assertEquals(
        3L * (6 - 3) * heads.keptDim(),
        qkvWeight[0],
        "q, k, v x kept heads x kept head_dim = rows left");
    GroupFacts.Member rows = qkv.members().get(0);
    assertEquals(1152, rows.sizeBefore());
    assertEquals(qkvWeight[0], rows.sizeAfter());
    assertEquals(
        1152 - qkvWeight[0],
        rows.removedSlices(),
        "every row lost is one of this " + "group's slices");
    GroupFacts.Member columns = qkv.members().get(2);
    assertEquals("blocks.0.attn.proj.weight", columns.param());
    long[] proj = ZooPruning.shape(ModelTensors.of(model).get("blocks.0.attn.proj.weight"));
    assertEquals(proj[1], columns.sizeAfter());
    assertEquals(384 - proj[1], columns.removedSlices());
    assertEquals(
        2 * (6 - 3) * heads.keptDim(),
        qkv.keptCount(),
        "q+k and v channels per kept " + "position of each kept head");
  }

  @Test
  void composedCutsOfTwoStepsGiveThePrunedShapes() {
    Module model = ZooModel.RESNET18.create(ZooPruning.SEED);
    Pruner pruner = l2HalfPruner(ZooModel.RESNET18, model, 2);
    Trace trace = pruner.graph().trace();
    List<StepReport> steps = pruner.pruneAll();
    PruningOutcome outcome = outcome(trace, pruner, steps);
    Map<String, Map<Integer, long[]>> kept = outcome.keptIndices();
    Map<String, Tensor> now = ModelTensors.of(model);
    int checked = 0;
    for (Map.Entry<String, ImmutableLongArray> p : trace.parameters().entrySet()) {
      long[] expected = p.getValue().toArray();
      kept.getOrDefault(p.getKey(), Map.of())
          .forEach(
              (dim, idx) -> {
                expected[dim] = idx.length;
                for (int i = 1; i < idx.length; i++) {
                  assertTrue(idx[i - 1] < idx[i], p.getKey() + " kept indices ascend");
                }
              });
      assertArrayEquals(ZooPruning.shape(now.get(p.getKey())), expected, p.getKey());
      checked += kept.containsKey(p.getKey()) ? 1 : 0;
    }
    assertTrue(checked > 50, checked + " parameters cut");
  }

  @Test
  void drawingHoldsEveryModuleCallOnceWithoutOverlaps() {
    Pruner pruner = l2HalfPruner(ZooModel.RESNET50, ZooModel.RESNET50.create(ZooPruning.SEED), 1);
    Trace trace = pruner.graph().trace();
    DrawnGraph drawn = DrawnGraph.of(trace);
    Map<Integer, Integer> nodesPerCall = new TreeMap<>();
    for (DrawnGraph.Scope s : drawn.scopes().values()) {
      for (DrawnGraph.Node n : s.nodes()) {
        if (n.call() >= 0) {
          nodesPerCall.merge(n.call(), 1, Integer::sum);
        }
        assertTrue(
            n.x() >= 0
                && n.y() >= 0
                && n.x() + n.width() <= s.width()
                && n.y() + n.height() <= s.height(),
            n + " inside scope " + s.id());
        for (DrawnGraph.Node o : s.nodes()) {
          boolean apart =
              o == n
                  || n.x() + n.width() <= o.x()
                  || o.x() + o.width() <= n.x()
                  || n.y() + n.height() <= o.y()
                  || o.y() + o.height() <= n.y();
          assertTrue(apart, n.id() + " overlaps " + o.id() + " in scope " + s.id());
        }
      }
      for (DrawnGraph.Edge e : s.edges()) {
        assertTrue(e.points().size() >= 2, e.toString());
      }
    }
    Map<Integer, Integer> expected = new TreeMap<>();
    int compounds = 0;
    for (TracedCall c : trace.calls()) {
      if (!c.tensorOutputs().isEmpty()) {
        expected.put(c.index(), 1);
        compounds += c.isModuleCall() && !trace.children(c.index()).isEmpty() ? 1 : 0;
      }
    }
    assertEquals(expected, nodesPerCall, "one node per traced call that returns tensors");
    assertEquals(
        compounds + 1,
        drawn.scopes().size(),
        "a scope per module with traced calls, " + "and the top level");
    assertEquals(200, trace.calls().size());
  }

  /** L2 magnitude, half of every group's channels and heads, in {@code steps} steps. */
  private static Pruner l2HalfPruner(ZooModel zoo, Module model, int steps) {
    Tensor x = zoo.exampleInput(ZooPruning.SEED);
    return Pruner.builder(model)
        .forward(() -> zoo.forward(model, x))
        .importance(Importances.magnitude(2))
        .ratio(0.5)
        .headRatio(0.5)
        .steps(steps)
        .build();
  }

  private static PruningOutcome outcome(Trace original, Pruner pruner, List<StepReport> steps) {
    PruningReport table =
        PruningReport.of("test", ModelCost.of(original), ModelCost.of(pruner.graph().trace()));
    List<io.jprune.pruner.graph.RemovalEffects> effects = new ArrayList<>();
    steps.forEach(s -> effects.add(s.effects()));
    Map<Integer, com.google.common.primitives.ImmutableDoubleArray> scores =
        new HashMap<>(steps.get(0).scores());
    return PruningOutcome.of(table, effects, scores);
  }
}
