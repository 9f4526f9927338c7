package io.jprune.pruner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import io.jprune.handmade.HandModels;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Costs of hand-linked models, counted by hand; the removal estimate against a re-trace. */
class ModelCostTest {

  /**
   * Traces with the agent attached: its entry hook on the hand-linked models' forward tells the
   * trace which tensors are the model's inputs, which building a graph needs.
   */
  static Trace trace(Module m, Supplier<Tensor> forward) {
    JPruneAgent.selfAttach(AgentConfig.defaults());
    return Tracer.trace(m, forward::get);
  }

  static DependencyGraph graph(Module m, Trace t) {
    TensorRef out = t.calls().get(t.calls().size() - 1).outputTensor();
    return DependencyGraph.build(m, t, List.of(out));
  }

  @Test
  void convNetIsCountedLayerByLayer() {
    HandModels.ConvNet net = new HandModels.ConvNet();
    Tensor x = HandModels.ConvNet.input();
    ModelCost cost = ModelCost.of(trace(net, () -> net.forward(x)));
    // conv: out [2,8,4,4] = 256 elements x 3 in x 9 kernel + 256 bias; params 8*27 + 8
    assertEquals(
        new LayerCost("conv", "Conv2d", 224, 256 * 27 + 256, 1), cost.layer("conv").orElseThrow());
    assertEquals(new LayerCost("bn", "BatchNorm2d", 16, 512, 1), cost.layer("bn").orElseThrow());
    assertEquals(new LayerCost("relu", "ReLU", 0, 256, 1), cost.layer("relu").orElseThrow());
    // fc: out [2,5] = 10 elements x 128 in + 10 bias
    assertEquals(new LayerCost("fc", "Linear", 645, 1290, 1), cost.layer("fc").orElseThrow());
    assertEquals(
        List.of("conv", "bn", "relu", "fc"), cost.layers().stream().map(LayerCost::name).toList());
    assertEquals(885, cost.params());
    assertEquals(7168 + 512 + 256 + 1290, cost.macs());
    assertEquals("ModelCost[885 params, 9,226 MACs, 4 rows]", cost.toString());
  }

  @Test
  void matmulsAreBatchTimesNTimesKTimesM() {
    HandModels.MatmulNet net = new HandModels.MatmulNet();
    Tensor x = HandModels.MatmulNet.input();
    ModelCost cost = ModelCost.of(trace(net, () -> net.forward(x)));
    assertEquals(
        List.of("fc", "<root>/matmul#0", "<root>/matmul#1", "head"),
        cost.layers().stream().map(LayerCost::name).toList());
    assertEquals(
        new LayerCost("<root>/matmul#0", "matmul", 0, 4 * 4 * 6, 1),
        cost.layer("<root>/matmul#0").orElseThrow());
    assertEquals(4 * 6 * 4, cost.layer("<root>/matmul#1").orElseThrow().macs());
    assertEquals(24 * 6 + 24 + 96 + 96 + 12 * 6 + 12, cost.macs());
    assertEquals(42 + 21, cost.params());
  }

  @Test
  void afterRemovalEqualsTheCostOfThePrunedModel() {
    HandModels.MatmulNet net = new HandModels.MatmulNet();
    Tensor x = HandModels.MatmulNet.input();
    Trace before = trace(net, () -> net.forward(x));
    DependencyGraph g = graph(net, before);
    PruningGroup fc = g.groupOf("fc");
    RemovalEffects effects = g.effects(Map.of(fc.id(), g.channelsOf(fc, "fc", 1, 4)));
    ModelCost estimate = ModelCost.afterRemoval(before, effects);
    // fc keeps 4 rows: [1,4,4] x 6 + bias; y y^T contracts 4; s y contracts the 4 tokens
    assertEquals(16 * 6 + 16, estimate.layer("fc").orElseThrow().macs());
    assertEquals(16 * 4, estimate.layer("<root>/matmul#0").orElseThrow().macs());
    assertEquals(16 * 4, estimate.layer("<root>/matmul#1").orElseThrow().macs());
    assertEquals(12 * 4 + 12, estimate.layer("head").orElseThrow().macs());
    assertEquals(28 + 15, estimate.params());

    Surgery.apply(net, effects);
    ModelCost measured = ModelCost.of(trace(net, () -> net.forward(x)));
    assertEquals(measured.layers(), estimate.layers());
  }

  @Test
  void convRemovalEstimateMatchesRetrace() {
    HandModels.ConvNet net = new HandModels.ConvNet();
    Tensor x = HandModels.ConvNet.input();
    Trace before = trace(net, () -> net.forward(x));
    DependencyGraph g = graph(net, before);
    PruningGroup conv = g.groupOf("conv");
    RemovalEffects effects = g.effects(Map.of(conv.id(), g.channelsOf(conv, "conv", 0, 2, 7)));
    ModelCost estimate = ModelCost.afterRemoval(before, effects);
    assertEquals(
        new LayerCost("conv", "Conv2d", 5 * 27 + 5, 160 * 27 + 160, 1),
        estimate.layer("conv").orElseThrow());
    assertEquals(
        new LayerCost("fc", "Linear", 80 * 5 + 5, 10 * 80 + 10, 1),
        estimate.layer("fc").orElseThrow());
    Surgery.apply(net, effects);
    assertEquals(ModelCost.of(trace(net, () -> net.forward(x))).layers(), estimate.layers());
  }

  @Test
  void effectsOfAnotherModelAreRefused() {
    HandModels.ConvNet conv = new HandModels.ConvNet();
    Tensor cx = HandModels.ConvNet.input();
    Trace convTrace = trace(conv, () -> conv.forward(cx));
    DependencyGraph cg = graph(conv, convTrace);
    RemovalEffects convCut = cg.effects(Map.of(cg.groupOf("conv").id(), new long[] {0}));
    HandModels.MatmulNet mm = new HandModels.MatmulNet();
    Tensor mx = HandModels.MatmulNet.input();
    Trace mmTrace = trace(mm, () -> mm.forward(mx));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelCost.afterRemoval(mmTrace, convCut));
    assertEquals(
        "the removal cuts conv.weight, which is not in the trace of "
            + "io.jprune.handmade.HandModels$MatmulNet: effects of another model?",
        e.getMessage());

    DependencyGraph mg = graph(mm, mmTrace);
    RemovalEffects fcCut = mg.effects(Map.of(mg.groupOf("fc").id(), new long[] {0}));
    HandModels.HeadNet heads = new HandModels.HeadNet(4);
    Tensor hx = HandModels.HeadNet.input();
    Trace headTrace = trace(heads, () -> heads.forward(hx));
    e =
        assertThrows(
            IllegalArgumentException.class, () -> ModelCost.afterRemoval(headTrace, fcCut));
    assertEquals(
        "the removal cuts fc.weight of shape [6, 6], the trace of "
            + "io.jprune.handmade.HandModels$HeadNet has [8, 6]: effects of another model?",
        e.getMessage());
  }
}
