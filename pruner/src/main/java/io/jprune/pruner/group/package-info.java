/**
 * Pruning groups as users and importance criteria see them: a {@link
 * io.jprune.pruner.group.PruningGroup} is a list of {@link io.jprune.pruner.group.Channel}s that
 * are removed together, each owning {@link io.jprune.pruner.group.ParamSlice}s (in its {@link
 * io.jprune.pruner.group.SliceRole}), under {@link io.jprune.pruner.group.GroupConstraint}s (heads,
 * GroupNorm groups, grouped conv) found as {@link io.jprune.pruner.group.BlockSpec}s. Immutable
 * values; depends on no other jprune package.
 */
package io.jprune.pruner.group;
