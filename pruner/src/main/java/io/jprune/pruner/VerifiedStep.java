package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.pruner.verify.ExactPart;
import io.jprune.pruner.verify.OutputAgreement;
import java.util.Locale;
import java.util.Optional;

/**
 * A pruning step and what its verification proved and measured, from one scoring of the model.
 *
 * <ul>
 *   <li>Every removed channel exact (no element reaches a normalisation across channels): the
 *       pruned output is compared with the masked original's on the kept elements, which proves the
 *       step ({@link #equivalence()}).
 *   <li>Some channels inexact: the exact ones are cut on their own in a trial (undone) and compared
 *       with the model in which only they are zeroed ({@link #exactPart()}), which proves the cut
 *       of those channels; the whole step is then measured against the unpruned model on the
 *       verification inputs ({@link #agreement()}). Where the exact channels cannot be cut without
 *       the others (a constraint ties them, see {@link #exactPartRefusal()}), nothing is proven.
 * </ul>
 */
public final class VerifiedStep {
  private final StepReport step;
  private final EquivalenceReport equivalence;
  private final ExactPart exactPart;
  private final String exactPartRefusal;
  private final OutputAgreement agreement;
  private final long verifyMillis;

  /**
   * @param step what the step did
   * @param equivalence the whole step's pruned output against its masked original's
   * @param exactPart the exact channels checked on their own; null when the step is all exact, all
   *     inexact, or the exact channels could not be cut alone
   * @param exactPartRefusal why the exact channels could not be cut alone, or null
   * @param agreement the pruned against the unpruned model; null when the step is all exact
   * @param verifyMillis time spent on the extra forwards and comparisons
   */
  VerifiedStep(
      StepReport step,
      EquivalenceReport equivalence,
      ExactPart exactPart,
      String exactPartRefusal,
      OutputAgreement agreement,
      long verifyMillis) {
    this.step = checkNotNull(step, "step");
    this.equivalence = checkNotNull(equivalence, "equivalence");
    checkArgument(
        exactPart == null || exactPartRefusal == null,
        "an exact part was checked and refused: %s",
        exactPartRefusal);
    checkArgument(
        equivalence.exactExpected() == (agreement == null),
        "agreement is measured exactly when the step is not all exact");
    this.exactPart = exactPart;
    this.exactPartRefusal = exactPartRefusal;
    this.agreement = agreement;
    this.verifyMillis = verifyMillis;
  }

  /** What the step did. */
  public StepReport step() {
    return step;
  }

  /**
   * The whole step's pruned output against the masked original's, on the kept elements: a proof
   * where {@link EquivalenceReport#exactExpected()}, a number without meaning otherwise.
   */
  public EquivalenceReport equivalence() {
    return equivalence;
  }

  /** The exact channels of a step that mixes exact and inexact ones, checked on their own. */
  public Optional<ExactPart> exactPart() {
    return Optional.ofNullable(exactPart);
  }

  /** Why the exact channels of a mixed step could not be cut on their own. */
  public Optional<String> exactPartRefusal() {
    return Optional.ofNullable(exactPartRefusal);
  }

  /** The pruned against the unpruned model, for a step that is not all exact. */
  public Optional<OutputAgreement> agreement() {
    return Optional.ofNullable(agreement);
  }

  /** Time spent on the extra forwards and comparisons. */
  public long verifyMillis() {
    return verifyMillis;
  }

  /** Whether every removed channel is exact, so that {@link #equivalence()} proves the step. */
  public boolean allExact() {
    return equivalence.exactExpected();
  }

  /**
   * Whether no check failed: the step is equal to its masked original within {@code relTol}
   * (relative to max |output|) if all exact, else its exact part is, where there is one.
   */
  public boolean passes(double relTol) {
    if (allExact()) {
      return equivalence.agrees(relTol);
    }
    return exactPart == null || exactPart.proven(relTol);
  }

  /** One line: what was proven (and within what) and what was measured. */
  public String summary(double relTol) {
    String tol = String.format(Locale.ROOT, "rel. tol. %.0e", relTol);
    long all = step.channelsRemoved();
    if (allExact()) {
      return String.format(
          Locale.ROOT,
          "proven: all %,d removed channels: the pruned output "
              + "%s the masked original (max|diff|=%.3g, max|out|=%.3g, %,d elements, %s)",
          all,
          equivalence.agrees(relTol) ? "equals" : "DIFFERS from",
          equivalence.maxAbsDiff(),
          equivalence.maxAbsOutput(),
          equivalence.compared(),
          tol);
    }
    String proven;
    long exact = exactPart == null ? 0 : exactPart.channels();
    if (exactPart != null) {
      proven =
          String.format(
              Locale.ROOT,
              "proven: %,d of %,d removed channels (those reaching no "
                  + "normalisation across channels), cut on their own, %s their masked original "
                  + "(max|diff|=%.3g, max|out|=%.3g, %s)",
              exact,
              all,
              exactPart.proven(relTol) ? "equal" : "DIFFER from",
              exactPart.equivalence().maxAbsDiff(),
              exactPart.equivalence().maxAbsOutput(),
              tol);
    } else if (exactPartRefusal != null) {
      proven =
          "proven: nothing (the exact channels cannot be cut without the others: "
              + exactPartRefusal
              + ")";
    } else {
      proven = "proven: nothing (every removed channel reaches a normalisation across channels)";
    }
    return String.format(
        Locale.ROOT,
        "%s; measured: the whole step (%,d channel%s not proven; "
            + "%s) against the unpruned model: %s",
        proven,
        all - exact,
        all - exact == 1 ? "" : "s",
        String.join(", ", equivalence.inexactReasons()),
        agreement);
  }

  @Override
  public String toString() {
    return "VerifiedStep[" + step + ", " + summary(1e-5) + "]";
  }
}
