package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.zoo.ZooModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Shared steps of the zoo pruning tests: build, pick random valid removals, check tensors. */
final class ZooPruning {
  static final long SEED = 7;

  private ZooPruning() {}

  /** Seeded random scores: a random valid subset once the planner applies the constraints. */
  static Importance randomScores(long seed) {
    return (group, ctx) -> {
      Random r = new Random(seed * 31 + group.id());
      double[] s = new double[group.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = r.nextDouble();
      }
      return s;
    };
  }

  static Pruner pruner(ZooModel zoo, Module model, Tensor input) {
    return Pruner.builder(model)
        .forward(() -> zoo.forward(model, input))
        .importance(randomScores(SEED))
        .build();
  }

  /** A random valid removal of a random fraction of every group (seeded). */
  static Removal randomRemoval(List<PruningGroup> groups, long seed) {
    Removal.Builder removal = Removal.builder();
    Random r = new Random(seed);
    for (PruningGroup g : groups) {
      long[] idx = randomSubset(g, r);
      if (idx.length > 0) {
        removal.put(g.id(), idx);
      }
    }
    return removal.build();
  }

  static long[] randomSubset(PruningGroup g, Random r) {
    double[] scores = new double[g.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = r.nextDouble();
    }
    double fraction = 0.1 + 0.5 * r.nextDouble();
    return GroupPlanner.choose(g, scores, fraction, 0, 1);
  }

  /** Copies of every parameter and buffer, to prove a refused prune changed nothing. */
  static Map<String, Tensor> snapshot(Module model) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    ModelTensors.of(model).forEach((k, v) -> out.put(k, v.detach().clone()));
    return out;
  }

  static void assertUnchanged(Map<String, Tensor> before, Module model) {
    Map<String, Tensor> now = ModelTensors.of(model);
    assertEquals(before.keySet(), now.keySet());
    before.forEach(
        (k, v) ->
            assertTrue(torch.equal(v, now.get(k)), k + " changed although the prune was refused"));
  }

  static Tensor run(ZooModel zoo, Module model, Tensor input) {
    try (NoGradGuard g = new NoGradGuard()) {
      return zoo.forward(model, input).clone();
    }
  }

  static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return s;
  }
}
