/**
 * One-op (or few-op) models for the op-rule tests in {@code io.jprune.pruner.graph}, written as
 * plain Java the way users write models. They live outside {@code io.jprune.pruner} because the
 * agent never rewrites jprune's own packages: here the self-attached agent turns their calls into
 * traced sites.
 */
package io.jprune.rulenets;
