package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.surgery.ModelTensors;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The model of the bytedeco pytorch preset's SimpleMNIST sample, written the way that sample writes
 * it (static {@code torch.relu}/{@code dropout}/{@code log_softmax}, a reshape computed from {@code
 * x.size(0)}): the first thing a Java user will try to prune.
 */
class SampleModelPruningTest {
  public static final class SimpleMnistNet extends Module {
    private final LinearImpl fc1 = register_module("fc1", new LinearImpl(784, 64));
    private final LinearImpl fc2 = register_module("fc2", new LinearImpl(64, 32));
    private final LinearImpl fc3 = register_module("fc3", new LinearImpl(32, 10));

    public Tensor forward(Tensor x) {
      x = torch.relu(fc1.forward(x.reshape(x.size(0), 784)));
      x = torch.dropout(x, 0.5, is_training());
      x = torch.relu(fc2.forward(x));
      return torch.log_softmax(fc3.forward(x), 1);
    }
  }

  @Test
  void halvedWithL2AndProvenEqualToTheMaskedOriginal() {
    SimpleMnistNet model = new SimpleMnistNet();
    model.eval(); // dropout off: the comparison needs a deterministic forward
    Tensor x = torch.randn(16, 1, 28, 28);
    Pruner pruner =
        Pruner.builder(model)
            .exampleInput(x)
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .ignore("fc3")
            .build();
    VerifiedStep step = pruner.stepAndVerify();
    assertTrue(step.equivalence().exactExpected(), step.equivalence().toString());
    assertTrue(step.passes(1e-5), step.equivalence().toString());
    assertArrayEquals(
        new long[] {32, 784}, ZooPruning.shape(ModelTensors.of(model).get("fc1.weight")));
    assertArrayEquals(
        new long[] {16, 32}, ZooPruning.shape(ModelTensors.of(model).get("fc2.weight")));
    assertArrayEquals(
        new long[] {10, 16}, ZooPruning.shape(ModelTensors.of(model).get("fc3.weight")));
    assertEquals(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10, step.step().paramsAfter());
    assertArrayEquals(new long[] {16, 10}, ZooPruning.shape(model.forward(x)));
  }
}
