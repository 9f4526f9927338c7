package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A cost reduction to reach instead of a channel ratio.
 *
 * @param kind what is reduced
 * @param reduction fraction removed, in (0, 1): 0.5 halves the MACs
 */
public record PruningTarget(Kind kind, double reduction) {
  /** The cost a target is measured in. */
  public enum Kind {
    /** Multiply-accumulates of one example forward. */
    MACS,
    /** Parameter count. */
    PARAMS
  }

  /** Checks the reduction is in (0, 1), naming the kind. */
  public PruningTarget {
    checkNotNull(kind, "kind");
    checkArgument(
        reduction > 0 && reduction < 1,
        "target %s reduction must be in (0, 1), got %s",
        kind,
        reduction);
  }
}
