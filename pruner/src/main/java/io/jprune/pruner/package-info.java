/**
 * The pruning API: {@link io.jprune.pruner.Pruner} (built by {@link
 * io.jprune.pruner.PrunerBuilder}) and what a step reports ({@link io.jprune.pruner.StepReport},
 * {@link io.jprune.pruner.VerifiedStep}, {@link io.jprune.pruner.GroupProposal}).
 *
 * <p>{@code Pruner} is a facade: this package owns only the wiring of one pruning step and the jobs
 * that need the model itself: tracing it with the agent attached ({@code TracedModel}), scoring
 * channels with the criterion and the user's losses ({@code ChannelScoring}), applying a validated
 * removal atomically and keeping the history ({@code AtomicCuts}), the checks of a verified step
 * ({@code StepVerification}) and the step's timings ({@code PhaseTimer}). What to remove is planned
 * in {@link io.jprune.pruner.plan}; the graph that validates a removal is in {@link
 * io.jprune.pruner.graph}; surgery, verification oracles, reports and saves have packages of their
 * own.
 */
package io.jprune.pruner;
