package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.group.PruningGroup;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Plans a step's removal from the channel scores, under the options: the schedule's progress, the
 * channel ratio (per module where one is given) or a MACs/params target, global or per-group
 * ranking, whole heads, and locked channels (infinite scores) that never go. Each group's channels
 * are then chosen under its constraints by {@link GroupPlanner}. Nothing is applied.
 */
public final class StepPlanner {
  private final PruningOptions options;

  /** A planner for these options. */
  public StepPlanner(PruningOptions options) {
    this.options = checkNotNull(options, "options");
  }

  /**
   * The fraction of the final ratio (or target) reached after step {@code step} (1-based; a step
   * past the last is what a proposal after the schedule asks for).
   */
  public double progress(int step) {
    checkArgument(step >= 1, "step %s is not 1-based", step);
    return options.schedule().progress(step, options.steps());
  }

  /**
   * The removal of step {@code step}.
   *
   * @param groups the groups of the current graph
   * @param scores group id -> one score per channel (higher = keep; +infinity = locked)
   * @param baseline the sizes and cost the ratio or target is measured against
   * @param cost the estimated MACs or params after a removal (used with a target only)
   * @throws IllegalArgumentException if a target cannot be met
   */
  public Removal plan(
      List<PruningGroup> groups,
      Map<Integer, ImmutableDoubleArray> scores,
      Baseline baseline,
      int step,
      ToDoubleFunction<Removal> cost) {
    double progress = progress(step);
    if (options.target() == null) {
      return atRatio(groups, scores, baseline, progress, options.ratio());
    }
    return TargetSearch.search(
        options.target(),
        baseline.cost(),
        progress,
        ratio -> atRatio(groups, scores, baseline, 1, ratio),
        cost);
  }

  /**
   * The removal when every group (or, with global ranking, the model) has lost {@code baseRatio *
   * progress} of its original units; a module with a ratio of its own uses that instead.
   */
  Removal atRatio(
      List<PruningGroup> groups,
      Map<Integer, ImmutableDoubleArray> scores,
      Baseline baseline,
      double progress,
      double baseRatio) {
    Map<Integer, Double> global =
        options.global()
            ? GlobalRanking.fractions(
                groups, scores, baseline, baseRatio * progress, options.maxRatio())
            : null;
    Removal.Builder removal = Removal.builder();
    for (PruningGroup group : groups) {
      double[] s = scores.get(group.id()).toArray();
      ChannelUnits units = ChannelUnits.of(group);
      double fraction =
          global != null
              ? global.getOrDefault(group.id(), 0.0)
              : ownFraction(group, units.count(), baseline, progress, baseRatio);
      fraction = Math.min(fraction, mostRemovable(units.count(), s));
      double headFraction = headFraction(group, baseline, progress);
      if (fraction <= 0 && headFraction <= 0) {
        continue;
      }
      long[] idx = GroupPlanner.choose(group, units, s, fraction, headFraction, options.roundTo());
      removal.put(
          group.id(), Arrays.stream(idx).filter(i -> Double.isFinite(s[(int) i])).toArray());
    }
    return removal.build();
  }

  /** The fraction of its current units a group loses to reach its ratio of its original ones. */
  private double ownFraction(
      PruningGroup group, int units, Baseline baseline, double progress, double baseRatio) {
    double ratio = moduleRatio(group, baseRatio) * progress;
    int keep = (int) Math.round(baseline.units(group) * (1 - ratio));
    return options.pruneHeadDims() || GroupPlanner.headCount(group) == 0
        ? Math.max(0, 1 - (double) keep / units)
        : 0;
  }

  /** The ratio of the module leading the group (or of its closest ancestor given one). */
  double moduleRatio(PruningGroup group, double baseRatio) {
    String leader = group.leader();
    String module = leader.contains(".") ? leader.substring(0, leader.lastIndexOf('.')) : leader;
    for (Map.Entry<String, Double> e : options.moduleRatios().entrySet()) {
      if (module.equals(e.getKey()) || module.startsWith(e.getKey() + ".")) {
        return e.getValue();
      }
    }
    return baseRatio;
  }

  /** Locked channels stay, and one unit more: a group never loses all it may lose. */
  private static double mostRemovable(int units, double[] scores) {
    int locked = 0;
    for (double v : scores) {
      locked += Double.isInfinite(v) ? 1 : 0;
    }
    locked = Math.min(locked, units);
    return Math.max(0, (double) (units - locked - 1) / units);
  }

  /** The fraction of its current heads a group loses (0 without heads or a head ratio). */
  private double headFraction(PruningGroup group, Baseline baseline, double progress) {
    int heads = GroupPlanner.headCount(group);
    if (heads == 0 || options.headRatio() <= 0) {
      return 0;
    }
    int keepHeads =
        Math.max(1, (int) Math.round(baseline.heads(group) * (1 - options.headRatio() * progress)));
    return Math.max(0, 1 - (double) keepHeads / heads);
  }
}
