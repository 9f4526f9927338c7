package io.jprune.pruner.plan;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Global ranking: the lowest-scoring units over all groups (scores normalised by the criterion) go
 * until the model has lost the ratio of all its original units, no group losing more than {@code
 * maxRatio} of its own, and every group keeping at least one unit.
 */
final class GlobalRanking {
  private record Unit(int group, double score) {}

  private GlobalRanking() {}

  /**
   * The fraction of its current units each group loses; groups that lose none are absent.
   *
   * @param scores group id -> channel scores, locked channels infinite (never ranked)
   * @param removeRatio the fraction of the model's original units gone after this step
   */
  static Map<Integer, Double> fractions(
      List<PruningGroup> groups,
      Map<Integer, ImmutableDoubleArray> scores,
      Baseline baseline,
      double removeRatio,
      double maxRatio) {
    List<Unit> ranked = new ArrayList<>();
    Map<Integer, Integer> sizes = new HashMap<>();
    Map<Integer, Integer> original = new HashMap<>();
    int totalOrig = 0;
    int totalNow = 0;
    for (PruningGroup group : groups) {
      double[] us = GroupPlanner.unitScores(group, scores.get(group.id()).toArray());
      sizes.put(group.id(), us.length);
      original.put(group.id(), baseline.units(group));
      totalNow += us.length;
      totalOrig += baseline.units(group);
      for (double v : us) {
        if (Double.isFinite(v)) {
          ranked.add(new Unit(group.id(), v));
        }
      }
    }
    ranked.sort(Comparator.comparingDouble(Unit::score));
    int remove = (int) Math.round(totalNow - totalOrig * (1 - removeRatio));
    Map<Integer, Integer> counts = new HashMap<>();
    for (Unit u : ranked) {
      if (remove <= 0) {
        break;
      }
      int current = sizes.get(u.group());
      int taken = counts.getOrDefault(u.group(), 0);
      int already = original.get(u.group()) - current + taken;
      if (already + 1 > maxRatio * original.get(u.group()) || taken + 1 >= current) {
        continue;
      }
      counts.merge(u.group(), 1, Integer::sum);
      remove--;
    }
    ImmutableMap.Builder<Integer, Double> fractions = ImmutableMap.builder();
    counts.forEach((id, n) -> fractions.put(id, (double) n / sizes.get(id)));
    return fractions.build();
  }
}
