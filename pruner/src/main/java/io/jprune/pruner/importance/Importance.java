package io.jprune.pruner.importance;

import io.jprune.pruner.group.PruningGroup;

/**
 * Scores the channels of a group: one value per channel, higher means keep. The pruner removes the
 * lowest-scoring channels (within a group for local ranking, across groups for global ranking after
 * the criterion's own normalisation).
 */
@FunctionalInterface
public interface Importance {
  /**
   * @param group the group to score
   * @param context the model's current tensors (and gradients where the criterion needs them)
   * @return {@code group.size()} scores
   */
  double[] score(PruningGroup group, ImportanceContext context);

  /** Short name for reports, e.g. {@code magnitude(L2, sum, mean)}. */
  default String name() {
    return getClass().getSimpleName();
  }
}
