package io.jprune.pruner.verify;

import com.google.common.collect.ImmutableSet;

/**
 * How a pruned model's output compares with the masked original's on the kept outputs.
 *
 * @param maxAbsDiff largest absolute difference
 * @param maxAbsOutput largest absolute value of the masked output (the scale of the tolerance)
 * @param compared number of output elements compared
 * @param inexactReasons why the two need not agree (normalisation across channels, ...); empty when
 *     every removed channel only passes zero-preserving ops, so they must agree
 */
public record EquivalenceReport(
    double maxAbsDiff, double maxAbsOutput, long compared, ImmutableSet<String> inexactReasons) {

  /** Whether equality is expected (the oracle applies). */
  public boolean exactExpected() {
    return inexactReasons.isEmpty();
  }

  /**
   * {@code max|pruned - masked| <= relTol * max|masked|} (plus a tiny floor for all-zero outputs).
   */
  public boolean agrees(double relTol) {
    return maxAbsDiff <= relTol * Math.max(maxAbsOutput, 1e-12);
  }

  @Override
  public String toString() {
    return String.format(
        "max|pruned-masked|=%.3g (max|out|=%.3g, %d elements, %s)",
        maxAbsDiff,
        maxAbsOutput,
        compared,
        exactExpected() ? "exact expected" : "inexact: " + inexactReasons);
  }
}
