package io.jprune.pruner.verify;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;

/**
 * The provable part of a removal that also cuts channels through a normalisation across channels:
 * its exact channels (none of whose elements reaches such a normalisation, so zeroing them changes
 * nothing else), cut on their own in a trial that is undone afterwards, against the model with only
 * those channels zeroed.
 *
 * @param removal group id -> the exact channels removed from it
 * @param equivalence the trial cut's output against that masked original, on the kept elements
 */
public record ExactPart(
    ImmutableMap<Integer, ImmutableLongArray> removal, EquivalenceReport equivalence) {
  /**
   * @throws NullPointerException when a component is null
   */
  public ExactPart {
    checkNotNull(removal, "removal");
    checkNotNull(equivalence, "equivalence");
  }

  /** Channels in this part, over all groups. */
  public long channels() {
    return removal.values().stream().mapToLong(ImmutableLongArray::length).sum();
  }

  /** Whether the trial cut equals its masked original within {@code relTol}. */
  public boolean proven(double relTol) {
    return equivalence.exactExpected() && equivalence.agrees(relTol);
  }
}
