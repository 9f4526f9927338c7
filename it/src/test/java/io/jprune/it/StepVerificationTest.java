package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.verify.ExactPart;
import io.jprune.pruner.verify.OutputAgreement;
import io.jprune.zoo.ZooModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * {@code stepAndVerify} on TEXT_EMBED, whose embedding width passes a LayerNorm (inexact) and whose
 * MLP hidden channels pass Linear and GELU only (exact): the hidden channels are proven on their
 * own, the whole step is measured against the unpruned model, and the trial cut that proves them
 * leaves nothing behind.
 */
class StepVerificationTest {
  private static final ZooModel ZOO = ZooModel.TEXT_EMBED;
  private static final double REL_TOL = 1e-5;
  private static final int INPUTS = 4;

  private static List<Tensor> inputs() {
    List<Tensor> out = new ArrayList<>();
    for (int i = 0; i < INPUTS; i++) {
      out.add(ZOO.exampleInput(ZooPruning.SEED + i));
    }
    return out;
  }

  private static PrunerBuilder builder(Module model, List<Tensor> inputs) {
    List<Supplier<Tensor>> forwards = new ArrayList<>();
    inputs.forEach(x -> forwards.add(() -> ZOO.forward(model, x)));
    return Pruner.builder(model)
        .forward(() -> ZOO.forward(model, inputs.get(0)))
        .importance(Importances.magnitude(2))
        .ratio(0.5)
        .verificationForwards(forwards);
  }

  private static List<Tensor> run(Module model, List<Tensor> inputs) {
    List<Tensor> out = new ArrayList<>();
    inputs.forEach(x -> out.add(ZooPruning.run(ZOO, model, x)));
    return out;
  }

  @Test
  void mixedStepProvesTheHiddenChannelsAndMeasuresTheWhole() {
    Module model = ZOO.create(ZooPruning.SEED);
    List<Tensor> inputs = inputs();
    List<Tensor> unpruned = run(model, inputs);
    Pruner pruner = builder(model, inputs).build();
    PruningGroup hidden = pruner.graph().groupOf("mlp.fc1");
    PruningGroup width = pruner.graph().groupOf("embed");
    assertTrue(hidden.isExact(), hidden.describe());
    assertFalse(width.isExact(), width.describe());

    VerifiedStep v = pruner.stepAndVerify();
    String summary = v.summary(REL_TOL);
    assertFalse(v.allExact(), summary);
    assertEquals(
        Map.of(hidden.id(), 128, width.id(), 32),
        Map.of(
            hidden.id(), v.step().removal().removed(hidden.id()).length(),
            width.id(), v.step().removal().removed(width.id()).length()),
        summary);
    ExactPart part = v.exactPart().orElseThrow(() -> new AssertionError(summary));
    assertEquals(Set.of(hidden.id()), part.removal().keySet(), summary);
    assertEquals(v.step().removal().removed(hidden.id()), part.removal().get(hidden.id()));
    assertTrue(part.equivalence().exactExpected(), summary);
    assertTrue(part.proven(REL_TOL), summary);
    assertTrue(v.passes(REL_TOL), summary);
    assertTrue(
        summary.startsWith(
            "proven: 128 of 160 removed channels (those reaching no "
                + "normalisation across channels), cut on their own, equal their masked original"),
        summary);
    assertTrue(
        summary.contains(
            "; measured: the whole step (32 channels not proven; "
                + "LayerNormImpl norm normalises across channels) against the unpruned model: rel. "
                + "output error "),
        summary);

    OutputAgreement measured = v.agreement().orElseThrow(() -> new AssertionError(summary));
    assertEquals(
        OutputAgreement.measure(unpruned, run(model, inputs)),
        measured,
        "the measurement is of the pruned against the unpruned model on the given inputs");
    assertEquals(INPUTS, measured.inputs());
    assertEquals(2L * INPUTS, measured.rows(), "TEXT_EMBED gives [2, 10] per input");
    assertTrue(measured.relativeError() > 0 && measured.relativeError() < 10, summary);
  }

  @Test
  void theTrialCutOfTheExactPartLeavesNothingBehind() {
    List<Tensor> inputs = inputs();
    Module plain = ZOO.create(ZooPruning.SEED);
    builder(plain, inputs).build().step();
    Module verified = ZOO.create(ZooPruning.SEED);
    VerifiedStep v = builder(verified, inputs).build().stepAndVerify();
    assertTrue(v.exactPart().isPresent(), v.summary(REL_TOL));
    ZooPruning.assertUnchanged(ZooPruning.snapshot(plain), verified);
    List<Tensor> a = run(plain, inputs);
    List<Tensor> b = run(verified, inputs);
    for (int i = 0; i < INPUTS; i++) {
      assertTrue(torch.equal(a.get(i), b.get(i)), "input " + i);
    }
  }

  @Test
  void onlyInexactChannelsProveNothingAndAreMeasured() {
    Module model = ZOO.create(ZooPruning.SEED);
    VerifiedStep v = builder(model, inputs()).ratio("mlp", 0.0).build().stepAndVerify();
    String summary = v.summary(REL_TOL);
    assertFalse(v.allExact(), summary);
    assertTrue(v.exactPart().isEmpty(), summary);
    assertTrue(v.exactPartRefusal().isEmpty(), summary);
    assertTrue(v.passes(REL_TOL), summary);
    assertTrue(
        summary.startsWith(
            "proven: nothing (every removed channel reaches a "
                + "normalisation across channels); measured: the whole step (32 channels not proven; "),
        summary);
    assertEquals(INPUTS, v.agreement().orElseThrow().inputs());
  }

  @Test
  void anAllExactStepIsProvenWholeAndNotMeasured() {
    Module model = ZooModel.ESPCN.create(ZooPruning.SEED);
    Tensor x = ZooModel.ESPCN.exampleInput(ZooPruning.SEED);
    VerifiedStep v =
        Pruner.builder(model)
            .forward(() -> ZooModel.ESPCN.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .build()
            .stepAndVerify();
    String summary = v.summary(REL_TOL);
    assertTrue(v.allExact(), summary);
    assertTrue(v.exactPart().isEmpty() && v.agreement().isEmpty(), summary);
    assertTrue(v.passes(REL_TOL), summary);
    assertTrue(
        summary.startsWith(
            "proven: all "
                + v.step().channelsRemoved()
                + " removed "
                + "channels: the pruned output equals the masked original (max|diff|="),
        summary);
    assertTrue(summary.endsWith(", 9,216 elements, rel. tol. 1e-05)"), summary);
  }
}
