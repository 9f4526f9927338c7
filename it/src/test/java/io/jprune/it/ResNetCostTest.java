package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.LayerCost;
import io.jprune.pruner.report.ModelCost;
import io.jprune.tracer.Trace;
import io.jprune.zoo.ZooModel;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * ResNet-18 at 224x224 costs what Torch-Pruning's {@code count_ops_and_params} says of
 * torchvision's: 11,689,512 params and 1,822,177,768 MACs (conv + fc 1,814,074,344, BN 4,967,424,
 * ReLU 2,308,096, pooling 827,904); halving every group with L2 magnitude leaves 3,055,880 params
 * and 487,202,536 MACs (Torch-Pruning: 3.06 M and 0.487 G), and the estimate made before the
 * surgery is what the pruned model's re-trace counts.
 */
class ResNetCostTest {
  @Test
  void resnet18MatchesTorchPruningBeforeAndAfterHalving() {
    ZooModel zoo = ZooModel.RESNET18;
    Module model = zoo.create(1);
    Tensor x = zoo.exampleInput(1);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> zoo.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .build();
    DependencyGraph graph = pruner.graph();
    Trace trace = graph.trace();
    ModelCost before = ModelCost.of(trace);
    assertEquals(11_689_512, before.params());
    assertEquals(1_822_177_768L, before.macs());
    assertEquals(
        new LayerCost("conv1", "Conv2d", 9_408, 118_013_952, 1),
        before.layer("conv1").orElseThrow());
    assertEquals(
        new LayerCost("layer1.0.relu", "ReLU", 0, 2 * 200_704, 2),
        before.layer("layer1.0.relu").orElseThrow(),
        "the shared relu is called twice");
    assertEquals(
        new LayerCost("fc", "Linear", 513_000, 513_000, 1), before.layer("fc").orElseThrow());

    ModelCost estimate = ModelCost.afterRemoval(trace, pruner.proposal().effectsIn(graph));
    pruner.pruneAll();
    ModelCost after = ModelCost.of(pruner.graph().trace());
    assertEquals(3_055_880, after.params());
    assertEquals(487_202_536L, after.macs());
    assertEquals(after.layers(), estimate.layers());
  }
}
