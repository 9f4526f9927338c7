import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.graph.refusal.UnseenTensorException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model in the unnamed package, its helpers in another package, pruned through the Pruner in a
 * plain JVM (self-attach, whole application): the helpers' ops are traced and prune exactly, an
 * unsupported op in a helper and a tensor made by reflection are refused before any change.
 */
class UnnamedPackagePruningTest {
  @ParameterizedTest(name = "exampleInput {0}")
  @ValueSource(booleans = {true, false})
  void helperOpsInAnotherPackageAreTracedAndPruneExactly(boolean exampleInput) throws IOException {
    Tensor x = UnnamedPackagePruning.input();
    ShiftNet net = UnnamedPackagePruning.model(ShiftNet.Variant.PLAIN);
    Pruner pruner = UnnamedPackagePruning.pruner(net, x, exampleInput);
    assertEquals(
        "1 roll at com.example.ops.Ops.shift(Ops.java:" + line("Ops", "roll-site") + ")",
        UnnamedPackagePruning.rollSite(pruner));
    VerifiedStep step = pruner.stepAndVerify();
    assertEquals("conv1 3->4, conv2 4->4, conv3 4->4", UnnamedPackagePruning.channels(net));
    assertTrue(step.equivalence().exactExpected(), step.equivalence().toString());
    assertTrue(step.passes(1e-5), step.equivalence().toString());
  }

  @Test
  void anUnsupportedOpInAHelperIsRefusedBeforeAnyChange() throws IOException {
    Tensor x = UnnamedPackagePruning.input();
    ShiftNet net = UnnamedPackagePruning.model(ShiftNet.Variant.RUNNING_SUM);
    List<Tensor> before = UnnamedPackagePruning.parameters(net);
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class, () -> UnnamedPackagePruning.pruner(net, x, true));
    assertEquals(
        "unsupported op Tensor.cumsum at com.example.ops.Ops.runningSum(Ops.java:"
            + line("Ops", "cumsum-site")
            + "): no channel rule is known for it; jprune refuses"
            + " rather than guessing",
        e.getMessage());
    assertTrue(UnnamedPackagePruning.sameParameters(before, net));
  }

  @ParameterizedTest
  @EnumSource(
      value = ShiftNet.Variant.class,
      names = {"MADE_BY_REFLECTION", "CHANGED_BY_REFLECTION"})
  void aTensorMadeOrChangedByReflectionIsRefusedBeforeAnyChange(ShiftNet.Variant variant)
      throws IOException {
    Tensor x = UnnamedPackagePruning.input();
    ShiftNet net = UnnamedPackagePruning.model(variant);
    List<Tensor> before = UnnamedPackagePruning.parameters(net);
    UnseenTensorException e =
        assertThrows(UnseenTensorException.class, () -> UnnamedPackagePruning.pruner(net, x, true));
    assertTrue(
        e.getMessage()
            .startsWith(
                "jprune did not see where the tensor [1, 8, 10, 10]"
                    + " read by Conv2dImpl.forward (conv2) at ShiftNet.forward(ShiftNet.java:"
                    + line("ShiftNet", "conv2-site")
                    + ") "
                    + (variant == ShiftNet.Variant.MADE_BY_REFLECTION
                        ? "came from: it is not a model input, a parameter, a buffer or the output of a"
                            + " traced call."
                        : "was last changed in place: no traced call did it.")),
        e.getMessage());
    assertTrue(e.getMessage().endsWith("so nothing was pruned"), e.getMessage());
    assertTrue(UnnamedPackagePruning.sameParameters(before, net));
  }

  @Test
  void theModelIsInTheUnnamedPackage() {
    assertEquals("", ShiftNet.class.getPackageName());
    assertFalse(UnnamedPackagePruning.class.getName().contains("."));
  }

  /** The line of {@code // marker} in a test source of the unnamed package or com.example.ops. */
  static int line(String simpleName, String marker) throws IOException {
    Path dir = Path.of("src/test/java");
    Path file = dir.resolve(simpleName + ".java");
    if (!Files.exists(file)) {
      file = dir.resolve("com/example/ops/" + simpleName + ".java");
    }
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith("// " + marker)) {
        return i + 1;
      }
    }
    throw new AssertionError("no // " + marker + " in " + file);
  }
}
