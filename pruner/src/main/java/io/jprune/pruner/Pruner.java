package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.PhaseTimer.Phase;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.plan.Baseline;
import io.jprune.pruner.plan.PruningOptions;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.plan.StepPlanner;
import io.jprune.pruner.surgery.AppliedChanges;
import io.jprune.pruner.verify.Equivalence;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.pruner.verify.MaskedOriginal;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Structural pruning in three lines:
 *
 * <pre>{@code
 * Pruner pruner = Pruner.builder(model).exampleInput(x)
 *     .importance(Importances.magnitude(2)).ratio(0.5).ignore("fc").build();
 * pruner.pruneAll();
 * }</pre>
 *
 * <p>Each step traces the model (self-attaching the agent), builds the exact dependency graph,
 * scores every group's channels, chooses what goes under the groups' constraints, validates the
 * whole removal and applies it atomically. Attention heads are found from the traced reshape: no
 * head count is passed.
 *
 * <p>A facade: {@link ChannelScoring} scores, {@link StepPlanner} plans, {@link AtomicCuts} applies
 * and keeps the history, {@link StepVerification} checks a step. The model's trace ({@link
 * TracedModel}) is a snapshot taken after the last cut: one that predates a cut is stale and is
 * replaced on next use, whoever made the cut.
 */
public final class Pruner {
  private final Module model;
  private final PruningOptions options;
  private final ModuleCatalog catalog;
  private final Forwards forwards;
  private final ChannelScoring scoring;
  private final StepPlanner planner;
  private final AtomicCuts cuts;
  private TracedModel traced;
  private Baseline baseline;
  private int stepsDone;

  Pruner(
      Module model,
      PruningOptions options,
      ModuleCatalog catalog,
      Forwards forwards,
      ChannelScoring scoring,
      AtomicCuts cuts) {
    this.model = model;
    this.options = options;
    this.catalog = catalog;
    this.forwards = forwards;
    this.scoring = scoring;
    this.planner = new StepPlanner(options);
    this.cuts = cuts;
    this.traced = TracedModel.trace(model, forwards.example(), catalog, 0);
    double cost =
        options.target() == null
            ? Double.NaN
            : traced.cost(options.target().kind(), Removal.none(), catalog);
    this.baseline = Baseline.of(traced.graph().groups(), cost);
  }

  /** A builder for pruning {@code model}. */
  public static PrunerBuilder builder(Module model) {
    return new PrunerBuilder(model);
  }

  /** What this pruner prunes and how much. */
  public PruningOptions options() {
    return options;
  }

  /** The model being pruned (in place). */
  public Module model() {
    return model;
  }

  /** The dependency graph of the model as it is now (traced again after each cut). */
  public DependencyGraph graph() {
    return current().graph();
  }

  /** The groups of {@link #graph()}. */
  public ImmutableList<PruningGroup> groups() {
    return graph().groups();
  }

  /** Every surgery applied so far, in order (what a saved pruning record replays). */
  public List<AppliedChanges> history() {
    return cuts.history();
  }

  /** Steps taken so far. */
  public int stepsDone() {
    return stepsDone;
  }

  /** Runs every remaining step. */
  public List<StepReport> pruneAll() {
    List<StepReport> out = new ArrayList<>();
    while (stepsDone < options.steps()) {
      out.add(step());
    }
    return out;
  }

  /** One step of the schedule: trace, score, choose, validate, apply. */
  public StepReport step() {
    checkState(stepsDone < options.steps(), "all %s steps are done", options.steps());
    TracedModel t = current();
    PhaseTimer timer = PhaseTimer.startIn(Phase.IMPORTANCE);
    Planned plan = planNext(t);
    timer.enter(Phase.SURGERY);
    RemovalEffects effects = plan.removal().effectsIn(t.graph());
    StepReport report = cut(t, plan, effects, timer, null).report();
    stepsDone++;
    return report;
  }

  /**
   * {@link #step()}, verified: proves what can be proven and measures the rest (see {@link
   * VerifiedStep}). Where every removed channel is exact, the masked original (the step's channels
   * zeroed on the producer side) runs before the cut and the pruned output is compared with it on
   * the kept elements. Where some channel reaches a normalisation across channels, the exact
   * channels are first cut on their own in a trial that is undone, and compared with their own
   * masked original; after the real cut, the pruned model is compared with the unpruned one on the
   * verification forwards ({@link PrunerBuilder#verificationForwards}): relative output error and
   * top-1 agreement. The model is scored once, so the checks are of exactly the removal that was
   * applied.
   */
  public VerifiedStep stepAndVerify() {
    checkState(stepsDone < options.steps(), "all %s steps are done", options.steps());
    TracedModel t = current();
    PhaseTimer timer = PhaseTimer.startIn(Phase.IMPORTANCE);
    Planned plan = planNext(t);
    timer.enter(Phase.SURGERY);
    RemovalEffects effects = plan.removal().effectsIn(t.graph());
    timer.enter(Phase.VERIFY);
    StepVerification check =
        StepVerification.before(
            model,
            t.graph(),
            t.output(),
            plan.removal(),
            effects,
            forwards.exampleNoGrad(),
            forwards.verificationNoGrad());
    // The forward that must run before the cut is kept is the one compared (it used to run twice):
    // nothing a forward reads changes after it. Committing only drops the undo journal; cutting
    // the training state cuts .grad and optimizer state, and its grad-accumulator round trip sets
    // each parameter back to its own storage (TrainingState.dropGradAccumulator). Same tensors,
    // same input, same no-grad mode: the same output.
    Cut cut = cut(t, plan, effects, timer, Phase.VERIFY);
    stepsDone++;
    return check.after(cut.report(), cut.pruned(), timer.millis(Phase.VERIFY));
  }

  /** The removal the next step would make, without applying it. */
  public Removal proposal() {
    return planNext(current()).removal();
  }

  /** Removes explicit channels of one group (interactive use), validated and atomic. */
  public StepReport prune(PruningGroup group, long... channels) {
    TracedModel t = current();
    checkArgument(
        t.graph().groups().contains(group),
        "group %s is not from this pruner's current graph (re-fetch groups after each step)",
        group);
    Planned plan = new Planned(Removal.of(group.id(), channels), ImmutableSortedMap.of());
    RemovalEffects effects = plan.removal().effectsIn(t.graph());
    return cut(t, plan, effects, PhaseTimer.paused(), null).report();
  }

  /** Applies an explicit removal and compares the pruned output with the masked original's. */
  public EquivalenceReport pruneAndVerify(Removal removal) {
    TracedModel t = current();
    RemovalEffects effects = removal.effectsIn(t.graph());
    Tensor masked = MaskedOriginal.output(model, effects, forwards.exampleNoGrad());
    Tensor pruned = cuts.cutAndKeep(effects, forwards.exampleNoGrad()).result();
    return Equivalence.compare(masked, pruned, effects.removedElements(t.output()), effects);
  }

  /** The groups with the channels the current options would remove from each. */
  public List<GroupProposal> interactive() {
    TracedModel t = current();
    return GroupProposal.of(this, t.graph().groups(), planNext(t).removal());
  }

  /** The model's trace, taken again if a cut was kept after it. */
  private TracedModel current() {
    if (traced.cuts() != cuts.count()) {
      // not the model's first call: what this trace's forward allocates can go when it returns
      traced = TracedModel.trace(model, forwards.exampleScoped(), catalog, cuts.count());
      baseline = baseline.with(traced.graph().groups());
    }
    return traced;
  }

  /** Scores the traced model and plans the next step's removal. */
  private Planned planNext(TracedModel t) {
    ImmutableSortedMap<Integer, ImmutableDoubleArray> scores = scoring.score(t.graph());
    Removal removal =
        planner.plan(
            t.graph().groups(),
            scores,
            baseline,
            stepsDone + 1,
            r -> t.cost(options.target().kind(), r, catalog));
    return new Planned(removal, scores);
  }

  /**
   * Cuts a validated removal (charged to surgery), runs the example forward of the pruned model
   * (charged to {@code forwardPhase}, or to nothing) before the cut is kept, and reports the step.
   */
  private Cut cut(
      TracedModel t, Planned plan, RemovalEffects effects, PhaseTimer timer, Phase forwardPhase) {
    timer.enter(Phase.SURGERY);
    long before = cuts.parameterCount();
    AtomicCuts.Kept<Tensor> kept =
        cuts.cutAndKeep(
            effects,
            () -> {
              timer.enter(forwardPhase);
              return forwards.exampleNoGrad().get();
            });
    timer.pause();
    StepReport report =
        new StepReport(
            stepsDone + 1,
            plan.removal(),
            before,
            kept.parameters(),
            effects,
            t.traceMillis(),
            t.graphMillis(),
            timer.millis(Phase.IMPORTANCE),
            timer.millis(Phase.SURGERY),
            plan.scores());
    return new Cut(report, kept.result());
  }

  /** A planned removal and the scores it was ranked by (empty for channels chosen by hand). */
  private record Planned(
      Removal removal, ImmutableSortedMap<Integer, ImmutableDoubleArray> scores) {}

  /** What a cut did, and the pruned model's output of the forward that ran before keeping it. */
  private record Cut(StepReport report, Tensor pruned) {}
}
