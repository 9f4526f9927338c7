package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.verify.EquivalenceReport;

/**
 * A pruning step and its check against the masked original, from one scoring of the model.
 *
 * @param step what the step did
 * @param equivalence the pruned output against the masked original's, on the kept elements
 * @param verifyMillis time spent on the masked forward and the comparison
 */
public record VerifiedStep(StepReport step, EquivalenceReport equivalence, long verifyMillis) {
  public VerifiedStep {
    checkNotNull(step, "step");
    checkNotNull(equivalence, "equivalence");
  }

  /**
   * Whether the step is proven: equal within {@code relTol} where the comparison must be exact;
   * true where it cannot be exact (a removed channel passes a normalisation across channels).
   */
  public boolean passes(double relTol) {
    return !equivalence.exactExpected() || equivalence.agrees(relTol);
  }
}
