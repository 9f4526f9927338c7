/**
 * The refusals the graph build raises before any weight changes: an op jprune has no rule for
 * ({@link io.jprune.pruner.graph.refusal.UnsupportedOpException}), a tensor it did not see made
 * ({@link io.jprune.pruner.graph.refusal.UnseenTensorException}) and a plan the graph cannot carry
 * out ({@link io.jprune.pruner.graph.refusal.PlanException}), each naming the op and its call site.
 *
 * <p>A leaf package of their own, because the op rules and passes throw them and the graph package
 * uses those: with the exceptions in {@code graph} itself, graph and its subpackages would form a
 * cycle.
 */
package io.jprune.pruner.graph.refusal;
