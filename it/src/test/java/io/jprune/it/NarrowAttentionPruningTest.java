package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.zoo.NarrowAttention;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention whose q, k and v are taken with {@code narrow} and viewed into heads each on its own
 * (issue 9): q, k and v lose the same heads and the result equals the masked original (relative
 * 1e-5); a removal that would take heads from q and k but not from v is refused before the cut, the
 * model byte-identical.
 */
class NarrowAttentionPruningTest {
  private static final double REL_TOL = 1e-5;

  @ParameterizedTest(name = "{0} heads, {1} kv heads, headRatio {2}, ratio {3}")
  @CsvSource({"4, 4, 0.5, 0", "4, 4, 0, 0.25", "4, 4, 0.5, 0.25", "4, 2, 0, 0.25"})
  void headsAndHeadDimsPruneExactly(long heads, long kvHeads, double headRatio, double ratio) {
    torch.manual_seed(3);
    NarrowAttention model = new NarrowAttention(32, heads, kvHeads);
    Tensor x = torch.randn(2, 5, 32);
    Pruner pruner =
        Pruner.builder(model)
            .exampleInput(x)
            .importance(Importances.magnitude(2))
            .ratio(ratio)
            .headRatio(headRatio)
            .build();
    VerifiedStep step = pruner.stepAndVerify();
    assertTrue(step.equivalence().exactExpected(), step.equivalence().toString());
    assertTrue(step.equivalence().agrees(REL_TOL), step.equivalence().toString());
    long qkvRows = ModelTensors.of(model).get("qkv.weight").size(0);
    long projCols = ModelTensors.of(model).get("proj.weight").size(1);
    long qDim = 32 - (headRatio > 0 ? 16 : 0);
    if (headRatio > 0 && ratio == 0) {
      assertEquals(qDim, projCols, "v loses the same 2 heads as q and k");
      assertEquals(3 * qDim, qkvRows, "q, k and v each lose 2 heads of 8");
    }
    assertTrue(qkvRows < 32 + 2 * kvHeads * 8, "something was pruned: " + qkvRows);
  }

  @Test
  void headsOfQAndKWithoutVAreRefusedBeforeTheCut() {
    torch.manual_seed(3);
    NarrowAttention model = new NarrowAttention(32, 4, 4);
    Tensor x = torch.randn(2, 5, 32);
    Pruner pruner =
        Pruner.builder(model).exampleInput(x).importance(Importances.magnitude(2)).build();
    PruningGroup g = pruner.graph().groupOf("qkv.weight");
    // channels of q heads 0 and 1 (and the k channels tied to them), none of v
    long[] qk = new long[16];
    int n = 0;
    for (int ch = 0; ch < g.size() && n < 16; ch++) {
      var slices = g.channel(ch).slices();
      boolean isQ =
          slices.stream()
              .anyMatch(s -> s.param().equals("qkv.weight") && s.dim() == 0 && s.index() < 16);
      if (isQ) {
        qk[n++] = ch;
      }
    }
    assertEquals(16, n);
    Map<String, Tensor> before = ZooPruning.snapshot(model);
    PlanException e = assertThrows(PlanException.class, () -> pruner.prune(g, qk));
    assertTrue(e.getMessage().contains("matmul"), e.getMessage());
    ZooPruning.assertUnchanged(before, model);
    assertArrayEquals(new long[] {2, 5, 32}, ZooPruning.shape(model.forward(x)));
    assertEquals(4, GroupPlanner.headCount(g));
  }
}
