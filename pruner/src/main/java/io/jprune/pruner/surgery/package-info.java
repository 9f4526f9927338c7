/**
 * In-place surgery on a live model: cutting parameters, buffers and optimizer state ({@link
 * io.jprune.pruner.surgery.Surgery}, {@link io.jprune.pruner.surgery.TrainingState}), setting the
 * module options that follow channel counts ({@link io.jprune.pruner.surgery.ModuleOptions}),
 * rewriting call-site arguments, and undoing a failed step ({@link
 * io.jprune.pruner.surgery.UndoJournal}). Reads a removal's {@link
 * io.jprune.pruner.graph.RemovalEffects} and the {@code cut} values, never graph internals.
 */
package io.jprune.pruner.surgery;
