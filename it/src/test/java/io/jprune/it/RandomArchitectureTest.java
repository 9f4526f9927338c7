package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelDigest;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.RandomArchitecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the planner (issue 9): seeded random architectures (residuals, concat, chunk, uneven
 * split, pixel shuffle round trips, channel shuffle by view/transpose and by reshape/permute/
 * flatten, depthwise convs, attention with select/unbind and with narrow (grouped k/v too),
 * movedim/swapaxes, expand/repeat gates, libtorch's MultiheadAttention and 2-layer LSTM/GRU/RNN
 * over the positions). Each model gets a planned removal (a random valid subset of every group)
 * and, on a fresh copy, a RANDOM removal (random groups, random indices, no planner). Each must be
 * refused before any change (digest of every tensor unchanged) or equal the masked original
 * (relative 1e-5) where exactness is expected; a pruned model that fails to run or differs is
 * "broken", and there must be none. Every failing seed is printed, and the counts are printed at
 * the end ({@code -Djprune.fuzz.models=1000} for a long run).
 */
class RandomArchitectureTest {
  /** 300 per CI run; 60 under -Pgc-stress (a collection every 2 ms makes each model slower). */
  private static final int MODELS =
      Integer.getInteger(
          "jprune.fuzz.models", Integer.getInteger("jprune.gcStress", 0) > 0 ? 60 : 300);

  private int removals;
  private int refusals;
  private int equalities;
  private int inexact;
  private int rolledBack;
  private int plannedRefusals;

  @Test
  void randomArchitecturesPruneToTheirMaskedOriginalOrAreRefusedUntouched() {
    List<String> failures = new ArrayList<>();
    for (long seed = 0; seed < MODELS; seed++) {
      for (boolean planned : new boolean[] {true, false}) {
        try {
          check(seed, planned);
        } catch (RuntimeException | AssertionError e) {
          failures.add("seed " + seed + (planned ? " planned: " : " random: ") + e);
          System.err.println("FAILED seed " + seed + (planned ? " planned: " : " random: ") + e);
        }
      }
    }
    System.out.println(
        "random architectures: "
            + MODELS
            + " models, "
            + removals
            + " removals, "
            + refusals
            + " refused untouched ("
            + plannedRefusals
            + " of them "
            + "planned), "
            + equalities
            + " equal to the masked original, "
            + rolledBack
            + " rolled back after the cut "
            + "(byte-identical), "
            + inexact
            + " inexact by design (compared in "
            + "shape), "
            + failures.size()
            + " broken");
    if (!failures.isEmpty()) {
      fail(
          failures.size()
              + " of "
              + removals
              + " removals broke a model:\n"
              + String.join("\n", failures));
    }
  }

  private void check(long seed, boolean planned) {
    torch.manual_seed(seed);
    RandomArchitecture model = new RandomArchitecture(seed);
    model.eval();
    Tensor input = torch.randn(1, 3, 8, 8);
    Tensor original;
    try (NoGradGuard g = new NoGradGuard()) {
      original = model.forward(input).clone();
    }
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(input))
            .importance(ZooPruning.randomScores(seed))
            .build();
    Removal removal =
        planned
            ? ZooPruning.randomRemoval(pruner.groups(), seed)
            : randomIndices(pruner.groups(), seed);
    if (removal.isEmpty()) {
      return;
    }
    removals++;
    String digest = ModelDigest.of(model);
    EquivalenceReport report;
    try {
      report = pruner.pruneAndVerify(removal);
    } catch (PruneFailedException e) {
      // the plan passed validation but the forward after the cut failed: rolled back
      assertEquals(digest, ModelDigest.of(model), model.summary() + ": rolled back but changed");
      rolledBack++;
      System.err.println("seed " + seed + " rolled back: " + e.getMessage());
      return;
    } catch (PlanException e) {
      assertEquals(digest, ModelDigest.of(model), model.summary() + ": refused but changed");
      Tensor again;
      try (NoGradGuard g = new NoGradGuard()) {
        again = model.forward(input);
      }
      assertEquals(true, torch.equal(original, again), "refused model computes as before");
      refusals++;
      plannedRefusals += planned ? 1 : 0;
      System.err.println(
          "seed " + seed + (planned ? " planned" : " random") + " refused: " + e.getMessage());
      return;
    }
    Tensor pruned;
    try (NoGradGuard g = new NoGradGuard()) {
      pruned = model.forward(input);
    }
    assertArrayEquals(ZooPruning.shape(original), ZooPruning.shape(pruned), model.summary());
    if (report.exactExpected()) {
      assertEquals(true, report.agrees(1e-5), model.summary() + ": " + report);
      equalities++;
    } else {
      inexact++;
    }
  }

  /** Random groups (each with probability 1/2), random indices (1 to size - 1 of them). */
  private static Removal randomIndices(List<PruningGroup> groups, long seed) {
    Random r = new Random(seed * 7919 + 1);
    Removal.Builder removal = Removal.builder();
    for (PruningGroup g : groups) {
      if (g.size() < 2 || !r.nextBoolean()) {
        continue;
      }
      int n = 1 + r.nextInt(g.size() - 1);
      TreeSet<Long> idx = new TreeSet<>();
      while (idx.size() < n) {
        idx.add((long) r.nextInt(g.size()));
      }
      removal.put(g.id(), idx.stream().mapToLong(Long::longValue).toArray());
    }
    return removal.build();
  }
}
