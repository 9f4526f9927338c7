package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Sets;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.SliceRole;

/**
 * Which slices of a channel a weight-based criterion reads. By default producer and consumer
 * weights (OUTPUT, INPUT) count and state (BN running statistics) does not: running statistics are
 * not learned weights. Biases are left out by default as in Torch-Pruning: one number per channel
 * next to a whole filter, and often zero-initialised.
 *
 * @param roles roles that count
 * @param biases whether parameters named {@code *.bias} count
 */
public record SliceSelection(ImmutableSet<SliceRole> roles, boolean biases) {
  /** OUTPUT and INPUT slices, no biases. */
  public static final SliceSelection DEFAULT =
      new SliceSelection(ImmutableSet.of(SliceRole.OUTPUT, SliceRole.INPUT), false);

  /**
   * @throws IllegalArgumentException when no role is selected
   */
  public SliceSelection {
    checkNotNull(roles, "roles");
    checkArgument(!roles.isEmpty(), "a slice selection needs at least one role");
  }

  /** These roles, biases as given. */
  public static SliceSelection of(boolean biases, SliceRole first, SliceRole... more) {
    return new SliceSelection(Sets.immutableEnumSet(first, more), biases);
  }

  /** The same roles, with or without biases. */
  public SliceSelection withBiases(boolean include) {
    return new SliceSelection(roles, include);
  }

  /** Whether the slice counts: its role is selected, and it is not a bias unless biases are. */
  public boolean accepts(ParamSlice s) {
    return roles.contains(s.role()) && (biases || !isBias(s.param()));
  }

  private static boolean isBias(String param) {
    return param.equals("bias") || param.endsWith(".bias");
  }

  @Override
  public String toString() {
    return roles.toString().toLowerCase() + (biases ? "+bias" : "");
  }
}
