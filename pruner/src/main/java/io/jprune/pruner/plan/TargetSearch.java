package io.jprune.pruner.plan;

import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * The channel ratio whose removal brings MACs (or params) closest to a target, by bisection on cost
 * estimates: nothing is applied while searching.
 */
final class TargetSearch {
  /** The largest ratio tried: a target that this ratio cannot meet is refused. */
  static final double MAX_SEARCH_RATIO = 0.95;

  /** How far above the goal the largest ratio may leave the cost before the target is refused. */
  static final double TOLERANCE = 0.005;

  /** Bisection steps: the ratio is found to 0.95 / 2^14 (about 6e-5). */
  static final int ITERATIONS = 14;

  private TargetSearch() {}

  /**
   * The removal at the smallest searched ratio whose estimated cost is at most the goal.
   *
   * @param target what is reduced and by how much (after the last step)
   * @param originalCost the cost before pruning
   * @param progress fraction of the target reached after this step
   * @param atRatio the removal when every group loses this fraction of its original units
   * @param estimate the estimated cost after a removal (asked once per distinct removal: once the
   *     bisection's ratio steps are finer than a channel, it meets the same removals again, and
   *     each estimate works out the removal's effects on the whole trace)
   * @throws IllegalArgumentException if even {@link #MAX_SEARCH_RATIO} misses the goal
   */
  static Removal search(
      PruningTarget target,
      double originalCost,
      double progress,
      DoubleFunction<Removal> atRatio,
      ToDoubleFunction<Removal> estimate) {
    Map<Removal, Double> known = new HashMap<>();
    ToDoubleFunction<Removal> cost = r -> known.computeIfAbsent(r, estimate::applyAsDouble);
    double goal = originalCost * (1 - target.reduction() * progress);
    double lo = 0;
    double hi = MAX_SEARCH_RATIO;
    Removal best = atRatio.apply(hi);
    double most = cost.applyAsDouble(best);
    if (most > goal * (1 + TOLERANCE)) {
      throw new IllegalArgumentException(
          String.format(
              "the %s target (-%.0f%%) cannot be met: "
                  + "removing %.0f%% of every group's channels leaves %,.0f of %,.0f",
              target.kind(), target.reduction() * 100, MAX_SEARCH_RATIO * 100, most, originalCost));
    }
    for (int i = 0; i < ITERATIONS; i++) {
      double mid = (lo + hi) / 2;
      Removal candidate = atRatio.apply(mid);
      if (cost.applyAsDouble(candidate) > goal) {
        lo = mid;
      } else {
        hi = mid;
        best = candidate;
      }
    }
    return best;
  }
}
