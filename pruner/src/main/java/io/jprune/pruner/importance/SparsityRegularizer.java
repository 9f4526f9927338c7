package io.jprune.pruner.importance;

import io.jprune.pruner.group.PruningGroup;
import java.util.List;

/**
 * A sparsity penalty for training before pruning: after {@code loss.backward()} and before the
 * optimiser step, {@link #apply} adds the penalty's (sub)gradient to the parameters' {@code
 * .grad()} so that unimportant channels shrink towards zero and a magnitude criterion can find
 * them.
 */
public interface SparsityRegularizer {
  /** Adds the penalty's gradient to the {@code .grad()} of the groups' parameters, in place. */
  void apply(List<PruningGroup> groups, ImportanceContext context);

  /** The penalty's current value, for logging next to the loss. */
  double penalty(List<PruningGroup> groups, ImportanceContext context);
}
