package io.jprune.pruner.importance;

import io.jprune.pruner.group.PruningGroup;
import java.util.SplittableRandom;

/**
 * Uniform random scores in [0, 1): the baseline every criterion should beat. Deterministic: the
 * i-th score depends only on the seed and the group id, so a run can be repeated and two groups
 * never share a sequence.
 */
public final class RandomImportance implements Importance {
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private final long seed;

  RandomImportance(long seed) {
    this.seed = seed;
  }

  /** The seed the scores derive from. */
  public long seed() {
    return seed;
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    // mix the group id into the seed, then let SplittableRandom scramble the result
    long mixed = new SplittableRandom(seed ^ (GOLDEN * (group.id() + 1L))).nextLong();
    SplittableRandom r = new SplittableRandom(mixed);
    double[] s = new double[group.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextDouble();
    }
    return s;
  }

  @Override
  public String name() {
    return "random(seed=" + seed + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
