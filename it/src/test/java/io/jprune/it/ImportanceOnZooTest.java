package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.zoo.ZooModel;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every criterion on two zoo models, with a hand-built answer: three channels of one layer are
 * shrunk a thousandfold (weights, bias, norm affine and the consumer's input columns), so every
 * criterion but random must remove exactly those three.
 */
class ImportanceOnZooTest {
  private static final long[] WEAK = {3, 17, 40};

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String name : new String[] {"l1", "l2", "bnScale", "lamp", "taylor", "hessian", "fpgm"}) {
      b.add(
          Arguments.of(
              name,
              ZooModel.ESPCN,
              "conv1",
              new String[] {"conv1.weight", "conv1.bias", "conv2.weight:1"}));
      b.add(
          Arguments.of(
              name,
              ZooModel.RESNET18,
              "layer1.0.conv1",
              new String[] {
                "layer1.0.conv1.weight",
                "layer1.0.bn1.weight",
                "layer1.0.bn1.bias",
                "layer1.0.conv2.weight:1"
              }));
    }
    return b.build();
  }

  private static Importance criterion(String name) {
    return switch (name) {
      case "l1" -> Importances.magnitude(1);
      case "l2" -> Importances.magnitude(2);
      case "bnScale" -> Importances.bnScale();
      case "lamp" -> Importances.lamp(2);
      case "taylor" -> Importances.taylor();
      case "hessian" -> Importances.hessian();
      // a near-zero filter is nearer every other filter than they are to each other
      case "fpgm" -> Importances.fpgm();
      default -> throw new IllegalArgumentException(name);
    };
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void shrunkChannelsAreTheOnesRemoved(String name, ZooModel zoo, String layer, String[] slices) {
    Module model = zoo.create(5);
    Tensor x = zoo.exampleInput(5);
    shrink(model, slices);
    if (zoo == ZooModel.RESNET18) {
      liven(model, "layer1.0.bn1.bias");
    }
    PrunerBuilder builder =
        Pruner.builder(model)
            .forward(() -> zoo.forward(model, x))
            .importance(criterion(name))
            .ratio(0)
            .ratio(layer, 3.0 / 64);
    if (name.equals("taylor") || name.equals("hessian")) {
      for (int i = 0; i < 3; i++) {
        Tensor sample = torch.randn(ZooPruning.shape(x));
        builder.loss(() -> zoo.forward(model, sample).pow(new Scalar(2)).mean());
      }
    }
    Pruner pruner = builder.build();
    PruningGroup g = pruner.graph().groupOf(layer);
    Removal plan = pruner.proposal();
    assertArrayEquals(WEAK, plan.removed(g.id()).toArray(), name + " on " + zoo);
  }

  /**
   * Lifts the other channels' BN bias by 1 so that no strong channel is dead after ReLU: a dead
   * channel has zero gradient, and gradient criteria would rightly rank it with the weak ones.
   */
  private static void liven(Module model, String bias) {
    Tensor t = ModelTensors.of(model).get(bias);
    try (NoGradGuard g = new NoGradGuard()) {
      for (long c = 0; c < t.size(0); c++) {
        if (java.util.Arrays.binarySearch(WEAK, c) < 0) {
          t.select(0, c).add_(new Scalar(1.0));
        }
      }
    }
  }

  /** Scales the weak channels' slices ("param" = dim 0, "param:1" = dim 1) by 1e-3. */
  private static void shrink(Module model, String[] slices) {
    Map<String, Tensor> tensors = ModelTensors.of(model);
    try (NoGradGuard g = new NoGradGuard()) {
      for (String spec : slices) {
        String[] parts = spec.split(":");
        long dim = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
        Tensor t = tensors.get(parts[0]);
        for (long c : WEAK) {
          t.select(dim, c).mul_(new Scalar(1e-3));
        }
      }
    }
  }
}
