package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.RandomArchitecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing: 200 seeded random architectures (residuals, concat, chunk, pixel shuffle round trips,
 * channel shuffle, depthwise convs, attention with select/unbind, libtorch's MultiheadAttention
 * and 2-layer LSTM/GRU/RNN over the positions), each pruned with a random
 * valid subset of every group and compared with its masked original (relative 1e-5). Every
 * failing seed is printed.
 */
class RandomArchitectureTest {
  private static final int MODELS = Integer.getInteger("jprune.fuzz.models", 200);

  @Test
  void randomArchitecturesPruneToTheirMaskedOriginal() {
    List<String> failures = new ArrayList<>();
    int compared = 0;
    for (long seed = 0; seed < MODELS; seed++) {
      try {
        compared += check(seed) ? 1 : 0;
      } catch (RuntimeException | AssertionError e) {
        failures.add("seed " + seed + ": " + e);
        System.err.println("FAILED seed " + seed + ": " + e);
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + MODELS + " random models failed:\n"
          + String.join("\n", failures));
    }
    System.out.println("random architectures: " + MODELS + " pruned, " + compared
        + " compared exactly");
  }

  private static boolean check(long seed) {
    torch.manual_seed(seed);
    RandomArchitecture model = new RandomArchitecture(seed);
    model.eval();
    Tensor input = torch.randn(1, 3, 8, 8);
    Tensor original;
    try (NoGradGuard g = new NoGradGuard()) {
      original = model.forward(input);
    }
    Pruner pruner = Pruner.builder(model).forward(() -> model.forward(input))
        .importance(ZooPruning.randomScores(seed)).build();
    Map<Integer, long[]> removal = ZooPruning.randomRemoval(pruner.groups(), seed);
    if (removal.isEmpty()) {
      return false;
    }
    EquivalenceReport report = pruner.pruneAndVerify(removal);
    Tensor pruned;
    try (NoGradGuard g = new NoGradGuard()) {
      pruned = model.forward(input);
    }
    assertArrayEquals(ZooPruning.shape(original), ZooPruning.shape(pruned), model.summary());
    if (report.exactExpected()) {
      assertEquals(true, report.agrees(1e-5), model.summary() + ": " + report);
      return true;
    }
    return false;
  }
}
