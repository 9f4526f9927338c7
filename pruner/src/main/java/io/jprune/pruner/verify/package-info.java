/**
 * Whether a pruned model computes what it should. {@link io.jprune.pruner.verify.MaskedOriginal} is
 * the unpruned model with the removed channels zeroed; {@link io.jprune.pruner.verify.Equivalence}
 * compares the pruned model with it on the kept outputs ({@link
 * io.jprune.pruner.verify.EquivalenceReport}); {@link io.jprune.pruner.verify.ExactPart} proves the
 * exact part of a removal that also passes a normalisation across channels, and {@link
 * io.jprune.pruner.verify.OutputAgreement} measures how closely the pruned model follows the
 * unpruned one where equality cannot be proven.
 */
package io.jprune.pruner.verify;
