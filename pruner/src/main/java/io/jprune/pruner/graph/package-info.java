/**
 * The exact channel-dependency graph of a traced run, and what a removal does to it.
 *
 * <p>{@link io.jprune.pruner.graph.DependencyGraph} is the entry point: it labels every element of
 * every traced tensor with the atom (channels that must go together) it belongs to, groups atoms
 * into {@link io.jprune.pruner.group.PruningGroup}s, and works out a removal's {@link
 * io.jprune.pruner.graph.RemovalEffects} (parameter cuts, call-site patches, pruned shapes) before
 * anything is touched. This package also owns the exceptions callers catch: {@link
 * io.jprune.pruner.graph.refusal.UnsupportedOpException} (an op without a rule), {@link
 * io.jprune.pruner.graph.refusal.UnseenTensorException} (a tensor made where jprune could not see)
 * and {@link io.jprune.pruner.graph.refusal.PlanException} (a removal that cannot be made).
 *
 * <p>The op rules ({@code graph.rule}) and the label and mask passes ({@code graph.label}) are its
 * internals: nothing outside graph/ depends on them (checked by {@code ArchitectureTest}); they use
 * this package only for its exceptions.
 */
package io.jprune.pruner.graph;
