/**
 * A pruned model on disk and back: {@link io.jprune.pruner.save.PrunedModelFiles} saves a directory
 * ({@code record.json}, the {@link io.jprune.pruner.save.PruningRecord} of every change from the
 * original, and {@code weights.pt}) durably, and rebuilds the pruned model from a freshly built
 * original by replaying the record's changes, after checking everything (class, shapes, checksum,
 * the record's own consistency) before the model is touched. A failed load is rolled back.
 *
 * <p>Everything else is package-private: streamed libtorch archives (a full disk is an exception,
 * not a JVM abort), the directory replaced as a whole, the record's field reader and checks.
 */
package io.jprune.pruner.save;
