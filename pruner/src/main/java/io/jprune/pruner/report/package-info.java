/**
 * What a pruning run looks like to a person: costs, tables and the report page. Reads traces,
 * dependency graphs and removal effects; changes nothing.
 *
 * <ul>
 *   <li>Costs: {@link io.jprune.pruner.report.ModelCost} (params and MACs per layer of a trace,
 *       before or after a removal), {@link io.jprune.pruner.report.LayerCost}, {@link
 *       io.jprune.pruner.report.Latency} (forward timings).
 *   <li>The console table: {@link io.jprune.pruner.report.PruningReport} (per layer before/after
 *       with the kept fractions and the speed-up).
 *   <li>The report page ({@code --html}): {@link io.jprune.pruner.report.GroupsHtml}, one
 *       self-contained HTML file that draws the traced graph laid out by ELK ({@link
 *       io.jprune.pruner.report.DrawnGraph}), explains each group in numbers that add up ({@link
 *       io.jprune.pruner.report.GroupFacts}) and, with a {@link
 *       io.jprune.pruner.report.PruningOutcome}, shows where the channels went.
 *   <li>{@link io.jprune.pruner.report.GroupsDot}: the groups as Graphviz DOT ({@code --dot}).
 * </ul>
 */
package io.jprune.pruner.report;
