package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkState;

import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.pruner.verify.Equivalence;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.pruner.verify.ExactPart;
import io.jprune.pruner.verify.MaskedOriginal;
import io.jprune.pruner.verify.OutputAgreement;
import io.jprune.tracer.TensorRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The checks of {@link Pruner#stepAndVerify()}: what runs before the cut ({@link #before}) and
 * after it ({@link #after}). See {@link VerifiedStep} for what is proven and what is measured.
 *
 * <p>Why the exact part is proven by a separate trial: a channel that reaches a normalisation
 * across channels (LayerNorm over the embedding) changes every kept channel behind it, so once one
 * such channel is in a removal, nothing downstream of the normalisation can equal a masked
 * original. Channels that reach none (attention heads, head dims, MLP hidden channels of a ViT)
 * only pass zero-preserving ops; cut alone, they must leave exactly what zeroing them leaves. The
 * trial cuts them with the same surgery as the step, compares, and undoes the cut; the model is
 * checked to compute what it computed before.
 */
final class StepVerification {
  private final TensorRef output;
  private final RemovalEffects effects;
  private final Tensor masked;
  private final List<Supplier<Tensor>> inputs;
  private final List<Tensor> unpruned;
  private final ExactPart exactPart;
  private final String exactPartRefusal;

  private StepVerification(
      TensorRef output,
      RemovalEffects effects,
      Tensor masked,
      List<Supplier<Tensor>> inputs,
      List<Tensor> unpruned,
      ExactPart exactPart,
      String exactPartRefusal) {
    this.output = output;
    this.effects = effects;
    this.masked = masked;
    this.inputs = inputs;
    this.unpruned = unpruned;
    this.exactPart = exactPart;
    this.exactPartRefusal = exactPartRefusal;
  }

  /**
   * Runs, on the unpruned model, the masked original of the whole removal and, for a removal that
   * is not all exact, the verification inputs and the trial of its exact part.
   *
   * @param forward the example forward, without gradients
   * @param inputs the verification forwards, without gradients
   */
  static StepVerification before(
      Module model,
      DependencyGraph graph,
      TensorRef output,
      Removal removal,
      RemovalEffects effects,
      Supplier<Tensor> forward,
      List<Supplier<Tensor>> inputs) {
    Tensor masked = MaskedOriginal.output(model, effects, forward);
    if (effects.inexactReasons().isEmpty()) {
      return new StepVerification(output, effects, masked, inputs, null, null, null);
    }
    List<Tensor> unpruned = run(inputs);
    Removal byChannel = exactChannels(graph, removal);
    Removal byGroup = wholeExactGroups(graph, removal);
    ExactPart part = null;
    String refusal = null;
    if (!byChannel.isEmpty()) {
      try {
        part = trial(model, graph, output, byChannel, forward);
      } catch (PlanException e) {
        refusal = e.getMessage();
      }
    }
    if (part == null && !byGroup.isEmpty() && !byGroup.equals(byChannel)) {
      try {
        part = trial(model, graph, output, byGroup, forward);
        refusal = null;
      } catch (PlanException e) {
        refusal = refusal == null ? e.getMessage() : refusal;
      }
    }
    return new StepVerification(
        output, effects, masked, inputs, unpruned, part, part == null ? refusal : null);
  }

  /**
   * Compares the cut model with what {@link #before} saw.
   *
   * @param pruned the output of the example forward on the cut model
   * @param millis the check's time
   */
  VerifiedStep after(StepReport report, Tensor pruned, long millis) {
    EquivalenceReport eq =
        Equivalence.compare(masked, pruned, effects.removedElements(output), effects);
    OutputAgreement agreement =
        unpruned == null ? null : OutputAgreement.measure(unpruned, run(inputs));
    return new VerifiedStep(report, eq, exactPart, exactPartRefusal, agreement, millis);
  }

  /** Cuts {@code part} alone, compares with its masked original, undoes the cut. */
  private static ExactPart trial(
      Module model,
      DependencyGraph graph,
      TensorRef output,
      Removal part,
      Supplier<Tensor> forward) {
    RemovalEffects effects = part.effectsIn(graph);
    checkState(
        effects.inexactReasons().isEmpty(),
        "the exact part is inexact: %s",
        effects.inexactReasons());
    Tensor masked = MaskedOriginal.output(model, effects, forward);
    Tensor before = forward.get().clone();
    Tensor cut = Surgery.trial(model, effects, () -> forward.get().clone());
    checkState(
        torch.equal(before, forward.get()),
        "the trial cut of the exact part did not " + "leave the model as it was");
    return new ExactPart(
        part.asMap(), Equivalence.compare(masked, cut, effects.removedElements(output), effects));
  }

  /** The removed channels that reach no normalisation across channels, group by group. */
  static Removal exactChannels(DependencyGraph graph, Removal removal) {
    return removal.filter((id, c) -> graph.group(id).channel((int) c).inexactReason() == null);
  }

  /**
   * The groups whose removed channels are all exact, with their whole removal: a smaller exact
   * part, but one that no group constraint (equal heads, equal grouped-conv groups) can refuse.
   */
  static Removal wholeExactGroups(DependencyGraph graph, Removal removal) {
    Removal exact = exactChannels(graph, removal);
    Removal.Builder out = Removal.builder();
    for (int id : removal.groups()) {
      if (exact.removed(id).equals(removal.removed(id))) {
        out.put(id, removal.removed(id).toArray());
      }
    }
    return out.build();
  }

  private static List<Tensor> run(List<Supplier<Tensor>> forwards) {
    List<Tensor> out = new ArrayList<>();
    for (Supplier<Tensor> f : forwards) {
      out.add(f.get().clone());
    }
    return out;
  }
}
