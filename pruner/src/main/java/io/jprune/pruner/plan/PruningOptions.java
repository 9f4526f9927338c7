package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.jprune.pruner.importance.Importance;

/**
 * What to prune and how much; immutable, made by the pruner's builder ({@code
 * io.jprune.pruner.PrunerBuilder}).
 *
 * @param importance channel criterion
 * @param ratio fraction of each group's channels to remove by the last step, in [0, 1)
 * @param moduleRatios per-module overrides of {@code ratio} (groups led by that module)
 * @param maxRatio no group loses more than this fraction (global ranking)
 * @param headRatio fraction of whole attention heads to remove, in [0, 1)
 * @param pruneHeadDims whether attention groups also lose head_dim channels at {@code ratio}
 * @param ignored modules whose output channels are never removed
 * @param global rank channels across groups (normalised scores) instead of within each group
 * @param steps number of iterative steps reaching the ratio
 * @param schedule progress per step
 * @param roundTo kept channel units rounded to a multiple of this
 * @param target a MACs or params reduction to reach instead of {@code ratio}, or null
 */
public record PruningOptions(
    Importance importance,
    double ratio,
    ImmutableMap<String, Double> moduleRatios,
    double maxRatio,
    double headRatio,
    boolean pruneHeadDims,
    ImmutableSet<String> ignored,
    boolean global,
    int steps,
    Schedule schedule,
    int roundTo,
    PruningTarget target) {

  /** Checks every ratio, count and rounding, naming the option that is out of range. */
  public PruningOptions {
    checkArgument(ratio >= 0 && ratio < 1, "ratio must be in [0, 1), got %s", ratio);
    checkArgument(
        headRatio >= 0 && headRatio < 1, "head ratio must be in [0, 1), got %s", headRatio);
    checkArgument(maxRatio > 0 && maxRatio <= 1, "max ratio must be in (0, 1], got %s", maxRatio);
    checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
    checkArgument(roundTo >= 1, "round_to must be >= 1, got %s", roundTo);
    moduleRatios.forEach(
        (m, r) ->
            checkArgument(r >= 0 && r < 1, "ratio of module %s must be in [0, 1), got %s", m, r));
  }
}
