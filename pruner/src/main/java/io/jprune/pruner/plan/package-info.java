/**
 * Planning: which channels a step removes, decided from scores without touching the model.
 *
 * <p>Owns the options ({@link io.jprune.pruner.plan.PruningOptions}, {@link
 * io.jprune.pruner.plan.PruningTarget}, {@link io.jprune.pruner.plan.Schedule}), the removal value
 * type ({@link io.jprune.pruner.plan.Removal}) and the rules: the schedule's progress, the channel
 * ratio per module, global ranking with {@code maxRatio}, locking ignored modules' channels ({@link
 * io.jprune.pruner.plan.IgnoredModules}), the bisection for a MACs or params target, ratios
 * measured against the original sizes ({@link io.jprune.pruner.plan.Baseline}), all driven by
 * {@link io.jprune.pruner.plan.StepPlanner}, and the choice of channels inside one group under its
 * constraints ({@link io.jprune.pruner.plan.GroupPlanner}).
 *
 * <p>It depends on the graph and groups (what can be removed together) and never on the pruner
 * facade, surgery or reports: costs for a target come in as a function.
 */
package io.jprune.pruner.plan;
