package io.jprune.pruner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.pruner.verify.ExactPart;
import io.jprune.pruner.verify.OutputAgreement;
import org.junit.jupiter.api.Test;

/** What a verified step claims, from reports made by hand (the checks themselves: it/). */
class VerifiedStepTest {
  private static final StepReport STEP =
      new StepReport(
          1,
          Removal.builder().put(0, 1, 2, 5).put(1, 3).build(),
          100,
          60,
          null,
          0,
          0,
          0,
          0,
          ImmutableMap.of());
  private static final EquivalenceReport INEXACT =
      new EquivalenceReport(
          0.8, 1.7, 10, ImmutableSet.of("LayerNormImpl norm normalises across channels"));
  private static final OutputAgreement MEASURED = new OutputAgreement(8, 8, 6, 0.25);

  private static ExactPart exactPart(double maxDiff) {
    return new ExactPart(
        ImmutableMap.of(0, ImmutableLongArray.of(1, 2, 5)),
        new EquivalenceReport(maxDiff, 2.0, 10, ImmutableSet.of()));
  }

  @Test
  void anExactPartBeyondTheToleranceFails() {
    VerifiedStep v = new VerifiedStep(STEP, INEXACT, exactPart(1e-3), null, MEASURED, 0);
    assertFalse(v.passes(1e-5));
    assertEquals(
        "proven: 3 of 4 removed channels (those reaching no normalisation across "
            + "channels), cut on their own, DIFFER from their masked original (max|diff|=0.00100, "
            + "max|out|=2.00, rel. tol. 1e-05); measured: the whole step (1 channel not proven; "
            + "LayerNormImpl norm normalises across channels) against the unpruned model: rel. "
            + "output error 0.250, top-1 agreement 6/8 (75.0%) over 8 inputs",
        v.summary(1e-5));
  }

  @Test
  void anExactPartWithinTheTolerancePasses() {
    VerifiedStep v = new VerifiedStep(STEP, INEXACT, exactPart(1e-5), null, MEASURED, 0);
    assertTrue(v.passes(1e-5));
    assertTrue(
        v.summary(1e-5)
            .startsWith(
                "proven: 3 of 4 removed channels (those reaching no "
                    + "normalisation across channels), cut on their own, equal their masked original"));
  }

  @Test
  void aRefusedExactPartProvesNothing() {
    VerifiedStep v = new VerifiedStep(STEP, INEXACT, null, "heads would differ", MEASURED, 0);
    assertTrue(v.passes(1e-5));
    assertTrue(
        v.summary(1e-5)
            .startsWith(
                "proven: nothing (the exact channels cannot be cut "
                    + "without the others: heads would differ); measured: the whole step (4 channels not "
                    + "proven; "),
        v.summary(1e-5));
  }

  @Test
  void measurementGoesWithInexactStepsOnly() {
    EquivalenceReport exact = new EquivalenceReport(0, 1, 10, ImmutableSet.of());
    assertThrows(
        IllegalArgumentException.class,
        () -> new VerifiedStep(STEP, exact, null, null, MEASURED, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new VerifiedStep(STEP, INEXACT, null, null, null, 0));
    assertFalse(
        new VerifiedStep(
                STEP, new EquivalenceReport(1e-3, 1, 10, ImmutableSet.of()), null, null, null, 0)
            .passes(1e-5));
  }
}
