package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.graph.SitePatch;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelDigest;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.surgery.SiteRewrites;
import io.jprune.pruner.surgery.SurgeryListener;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.tracer.site.SiteKey;
import io.jprune.zoo.NarrowAttention;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Call-site rewrites belong to one model instance (issue 13): three {@link NarrowAttention}s of one
 * class share every call site ({@code view(b, n, heads, headDim)}, {@code narrow}, {@code
 * reshape(b, n, dim)}). One loses half its heads ({@code view(2, 5, 4, 8)} of q becomes {@code
 * view(2, 5, 2, 8)}), one half of every head's width ({@code view(2, 5, 4, 4)}): the same pruned
 * input shape at the {@code view} sites with other constants, which a JVM-wide table could not tell
 * apart. Each equals its own masked original (relative 1e-5, as the stepping pruner checks) and
 * keeps computing exactly that after the other is pruned; the third, never pruned, computes
 * bit-identically what it did. A surgery failing half-way through its rewrites puts back its own
 * model and leaves the other model's rewrites as they were.
 */
class PerModelRewritesTest {
  private static final double REL_TOL = 1e-5;

  private static NarrowAttention model(long seed) {
    torch.manual_seed(seed);
    return new NarrowAttention(32, 4, 4);
  }

  private static PrunerBuilder builder(NarrowAttention model, Tensor x) {
    return Pruner.builder(model).exampleInput(x).importance(Importances.magnitude(2));
  }

  /**
   * {@code widthRatio} of every head's dims, or {@code headRatio} of the heads. A channel's score
   * is its dim within its head, v's half a point above q and k's: half the dims go as 4 of 8 of q
   * and k and 4 of 8 of v in every head.
   */
  private static Removal removal(Pruner pruner, double widthRatio, double headRatio) {
    PruningGroup g = pruner.graph().groupOf("qkv.weight");
    double[] scores = new double[g.size()];
    for (int ch = 0; ch < scores.length; ch++) {
      long row =
          g.channel(ch).slices().stream()
              .filter(sl -> sl.param().equals("qkv.weight") && sl.dim() == 0)
              .mapToLong(sl -> sl.index())
              .min()
              .orElseThrow();
      scores[ch] = row % 8 + (row >= 64 ? 0.5 : 0);
    }
    return Removal.of(g.id(), GroupPlanner.choose(g, scores, widthRatio, headRatio, 1));
  }

  /** Prunes, checked against the masked original; the pruned output. */
  private static Tensor pruneAndCheck(
      NarrowAttention model, Tensor x, double widthRatio, double headRatio) {
    Pruner pruner = builder(model, x).build();
    EquivalenceReport report = pruner.pruneAndVerify(removal(pruner, widthRatio, headRatio));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(REL_TOL), report.toString());
    return run(model, x);
  }

  private static Tensor run(NarrowAttention model, Tensor x) {
    try (NoGradGuard g = new NoGradGuard()) {
      return model.forward(x).clone();
    }
  }

  private static long[] shape(NarrowAttention model, String param) {
    return ZooPruning.shape(ModelTensors.of(model).get(param));
  }

  /** What the model's rewrites turn {@code view(2, 5, 4, 8)} into (q, k and v's view sites). */
  private static Set<List<Long>> viewsOfFourHeadsOfEight(NarrowAttention model) {
    ImmutableLongArray traced = ImmutableLongArray.of(2, 5, 4, 8);
    return SiteRewrites.installed(model).values().stream()
        .flatMap(List::stream)
        .flatMap(p -> p.patches().stream())
        .filter(a -> a.before().equals(traced))
        .map(a -> a.after().stream().boxed().toList())
        .collect(Collectors.toSet());
  }

  @Test
  void twoInstancesPrunedDifferentlyAndAnUnprunedOneEachComputeTheirOwn() {
    Tensor x = torch.randn(2, 5, 32);
    NarrowAttention heads = model(3);
    NarrowAttention widths = model(4);
    NarrowAttention unpruned = model(5);
    Tensor unprunedBefore = run(unpruned, x);

    Tensor headsPruned = pruneAndCheck(heads, x, 0, 0.5);
    assertArrayEquals(new long[] {48, 32}, shape(heads, "qkv.weight"), "2 of 4 heads of q, k, v");
    Tensor widthsPruned = pruneAndCheck(widths, x, 0.5, 0);
    assertEquals(
        Set.of(List.of(2L, 5L, 2L, 8L)), viewsOfFourHeadsOfEight(heads), "2 heads of 8 dims");
    assertEquals(
        Set.of(List.of(2L, 5L, 4L, 4L)), viewsOfFourHeadsOfEight(widths), "4 heads of 4 dims");
    assertArrayEquals(new long[] {48, 32}, shape(widths, "qkv.weight"), "4 of 8 dims of each head");

    for (int round = 0; round < 2; round++) {
      assertTrue(torch.equal(headsPruned, run(heads, x)), "heads-pruned, round " + round);
      assertTrue(torch.equal(widthsPruned, run(widths, x)), "width-pruned, round " + round);
      assertTrue(torch.equal(unprunedBefore, run(unpruned, x)), "unpruned, round " + round);
    }
    assertTrue(SiteRewrites.installed(unpruned).isEmpty());
  }

  @Test
  void aForwardThatThrowsLeavesNoModelsRewritesBehind() {
    Tensor x = torch.randn(2, 5, 32);
    NarrowAttention pruned = model(3);
    NarrowAttention unpruned = model(5);
    Tensor unprunedBefore = run(unpruned, x);
    Tensor prunedOut = pruneAndCheck(pruned, x, 0, 0.5);
    // fails inside the pruned model's forward, after its entry made its rewrites current
    assertThrows(RuntimeException.class, () -> run(pruned, torch.randn(2, 5, 31)));
    assertTrue(torch.equal(unprunedBefore, run(unpruned, x)), "the unpruned model after the throw");
    assertTrue(torch.equal(prunedOut, run(pruned, x)), "the pruned model after the throw");
  }

  @Test
  void aFailedSurgeryRestoresItsModelAndLeavesTheOtherModelsRewrites() {
    Tensor x = torch.randn(2, 5, 32);
    NarrowAttention first = model(3);
    Tensor firstPruned = pruneAndCheck(first, x, 0, 0.5);
    Map<SiteKey, List<SitePatch>> firstRewrites = SiteRewrites.installed(first);
    assertTrue(firstRewrites.size() >= 3, firstRewrites.keySet().toString());

    NarrowAttention second = model(4);
    Tensor secondBefore = run(second, x);
    String digest = ModelDigest.of(second);
    Pruner failing =
        builder(second, x)
            .surgeryListener(
                (step, index, what) -> {
                  if (step == SurgeryListener.Step.REWRITE && index == 2) {
                    throw new IllegalStateException("injected at rewrite #2 (" + what + ")");
                  }
                })
            .build();
    Removal widths = removal(failing, 0.5, 0);
    PruneFailedException e =
        assertThrows(PruneFailedException.class, () -> failing.pruneAndVerify(widths));
    assertTrue(e.getMessage().contains("injected at rewrite #2"), e.getMessage());

    assertEquals(digest, ModelDigest.of(second), "the second model's tensors are as they were");
    assertTrue(SiteRewrites.installed(second).isEmpty(), "its two installed rewrites were undone");
    assertTrue(torch.equal(secondBefore, run(second, x)), "the second model computes as before");
    assertEquals(firstRewrites, SiteRewrites.installed(first), "the first model's rewrites");
    assertTrue(torch.equal(firstPruned, run(first, x)), "the first model computes as pruned");
  }
}
