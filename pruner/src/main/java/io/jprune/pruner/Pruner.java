package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.ImportanceContext;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.AppliedChanges;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.pruner.surgery.SurgeryListener;
import io.jprune.pruner.surgery.UndoJournal;
import io.jprune.pruner.verify.Equivalence;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.pruner.verify.MaskedOriginal;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TraceFailedException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringSharedModuleDict;
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
 */
public final class Pruner {
  private final Module model;
  private final Supplier<Tensor> forward;
  private final PruningOptions options;
  private final List<Supplier<Tensor>> losses;
  private final SurgeryListener listener;
  private final List<Supplier<Tensor>> verificationForwards;
  private final ModuleCatalog catalog;
  private final Map<String, Integer> originalUnits = new HashMap<>();
  private final Map<String, Integer> originalHeads = new HashMap<>();
  private static final double MAX_SEARCH_RATIO = 0.95;
  private static final double TARGET_TOLERANCE = 0.005;
  private final List<AppliedChanges> history = new ArrayList<>();
  private double originalCost = Double.NaN;
  private int stepsDone;
  private DependencyGraph graph;
  private TensorRef output;
  private long traceMillis;
  private long graphMillis;

  private Pruner(
      Module model,
      Supplier<Tensor> forward,
      PruningOptions options,
      List<Supplier<Tensor>> losses,
      SurgeryListener listener,
      List<Supplier<Tensor>> verificationForwards,
      ModuleCatalog catalog) {
    this.model = model;
    this.forward = forward;
    this.options = options;
    this.losses = losses;
    this.listener = listener;
    this.verificationForwards =
        verificationForwards.isEmpty() ? List.of(forward) : verificationForwards;
    this.catalog = catalog;
  }

  public static Builder builder(Module model) {
    return new Builder(model);
  }

  public PruningOptions options() {
    return options;
  }

  public Module model() {
    return model;
  }

  /** The dependency graph of the model as it is now (traced on first use and after each step). */
  public DependencyGraph graph() {
    if (graph == null) {
      long t0 = System.nanoTime();
      ModelTracing.Traced traced = ModelTracing.trace(model, forward);
      long t1 = System.nanoTime();
      graph = DependencyGraph.build(model, traced.trace(), List.of(traced.output()), catalog);
      long t2 = System.nanoTime();
      output = traced.output();
      traceMillis = (t1 - t0) / 1_000_000;
      graphMillis = (t2 - t1) / 1_000_000;
      if (options.target() != null && Double.isNaN(originalCost)) {
        ModelCost c = ModelCost.of(traced.trace(), catalog);
        originalCost = options.target().kind() == PruningTarget.Kind.MACS ? c.macs() : c.params();
      }
      for (PruningGroup g : graph.groups()) {
        originalUnits.putIfAbsent(g.leader(), GroupPlanner.unitCount(g));
        originalHeads.putIfAbsent(g.leader(), GroupPlanner.headCount(g));
      }
    }
    return graph;
  }

  public ImmutableList<PruningGroup> groups() {
    return graph().groups();
  }

  /** Every surgery applied so far, in order (what a saved pruning record replays). */
  public List<AppliedChanges> history() {
    return List.copyOf(history);
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
    DependencyGraph g = graph();
    long t0 = System.nanoTime();
    Map<Integer, double[]> scores = new LinkedHashMap<>();
    Map<Integer, long[]> removal = nextRemoval(g, scores);
    long t1 = System.nanoTime();
    StepReport report =
        apply(g.effects(removal), removal, scores, (t1 - t0) / 1_000_000, t1, this::checkForward);
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
   * verification forwards ({@link Builder#verificationForwards}): relative output error and top-1
   * agreement. The model is scored once, so the checks are of exactly the removal that was applied.
   */
  public VerifiedStep stepAndVerify() {
    checkState(stepsDone < options.steps(), "all %s steps are done", options.steps());
    DependencyGraph g = graph();
    TensorRef out = output;
    long t0 = System.nanoTime();
    Map<Integer, double[]> scores = new LinkedHashMap<>();
    Map<Integer, long[]> removal = nextRemoval(g, scores);
    long t1 = System.nanoTime();
    RemovalEffects effects = g.effects(removal);
    long v0 = System.nanoTime();
    StepVerification check =
        StepVerification.before(
            model,
            g,
            out,
            removal,
            effects,
            noGradForward(),
            verificationForwards.stream().map(Pruner::noGrad).toList());
    long v1 = System.nanoTime();
    // surgery time: validation (t1..v0) and cutting, not the checks' forwards; the cut is kept
    // only once a forward of the pruned model ran (else it is rolled back)
    long[] forwardNanos = new long[1];
    StepReport report =
        apply(
            effects,
            removal,
            scores,
            (t1 - t0) / 1_000_000,
            v1 - (v0 - t1),
            () -> {
              long f0 = System.nanoTime();
              noGradForward().get();
              forwardNanos[0] = System.nanoTime() - f0;
            });
    stepsDone++;
    long v2 = System.nanoTime();
    return check.after(
        report, ((v1 - v0) + forwardNanos[0] + (System.nanoTime() - v2)) / 1_000_000);
  }

  /** The next step's removal; the scores it ranked by are put into {@code scoresOut}. */
  private Map<Integer, long[]> nextRemoval(DependencyGraph g, Map<Integer, double[]> scoresOut) {
    double progress = options.schedule().progress(stepsDone + 1, options.steps());
    Map<Integer, double[]> scores = score(g);
    scoresOut.putAll(scores);
    return plan(g, scores, progress);
  }

  private Supplier<Tensor> noGradForward() {
    return noGrad(forward);
  }

  private static Supplier<Tensor> noGrad(Supplier<Tensor> f) {
    return () -> {
      try (NoGradGuard guard = new NoGradGuard()) {
        return f.get();
      }
    };
  }

  /** The removal the next step would make, without applying it. */
  public Map<Integer, long[]> proposal() {
    return nextRemoval(graph(), new HashMap<>());
  }

  /** Removes explicit channels of one group (interactive use), validated and atomic. */
  public StepReport prune(PruningGroup group, long... channels) {
    checkArgument(
        graph().groups().contains(group),
        "group %s is not from this pruner's " + "current graph (re-fetch groups after each step)",
        group);
    Map<Integer, long[]> removal = Map.of(group.id(), channels.clone());
    return apply(
        graph().effects(removal), removal, Map.of(), 0, System.nanoTime(), this::checkForward);
  }

  /** Applies an explicit removal and compares the pruned output with the masked original's. */
  public EquivalenceReport pruneAndVerify(Map<Integer, long[]> removal) {
    DependencyGraph g = graph();
    RemovalEffects effects = g.effects(removal);
    Supplier<Tensor> noGrad = noGradForward();
    Tensor masked = MaskedOriginal.output(model, effects, noGrad);
    TensorRef out = output;
    Tensor[] pruned = new Tensor[1];
    cutAndKeep(effects, () -> pruned[0] = noGrad.get());
    return Equivalence.compare(masked, pruned[0], effects.removedElements(out), effects);
  }

  /** Iterates the groups with the channels the current options would remove from each. */
  public List<GroupProposal> interactive() {
    DependencyGraph g = graph();
    Map<Integer, long[]> plan = nextRemoval(g, new HashMap<>());
    List<GroupProposal> out = new ArrayList<>();
    for (PruningGroup group : g.groups()) {
      long[] idx = plan.get(group.id());
      if (idx != null && idx.length > 0) {
        out.add(new GroupProposal(this, group, ImmutableLongArray.copyOf(idx)));
      }
    }
    return out;
  }

  private StepReport apply(
      RemovalEffects effects,
      Map<Integer, long[]> removal,
      Map<Integer, double[]> scores,
      long importanceMs,
      long start,
      Runnable afterCut) {
    long before = parameterCount(model);
    long[] cutEnd = new long[1];
    cutAndKeep(
        effects,
        () -> {
          cutEnd[0] = System.nanoTime();
          afterCut.run();
        });
    long end = cutEnd[0];
    Map<Integer, ImmutableLongArray> r = new TreeMap<>();
    removal.forEach((k, v) -> r.put(k, ImmutableLongArray.copyOf(v)));
    Map<Integer, ImmutableDoubleArray> ranked = new TreeMap<>();
    scores.forEach((k, v) -> ranked.put(k, ImmutableDoubleArray.copyOf(v)));
    return new StepReport(
        stepsDone + 1,
        ImmutableMap.copyOf(r),
        before,
        parameterCount(model),
        effects,
        traceMillis,
        graphMillis,
        importanceMs,
        (end - start) / 1_000_000,
        ImmutableMap.copyOf(ranked));
  }

  /**
   * Cuts, then runs {@code afterCut} (a forward of the pruned model) before keeping the cut: if any
   * surgery step or that forward throws, every tensor, option and call-site rewrite is put back
   * (byte-identical) and the failure is rethrown as a {@link PruneFailedException}.
   */
  private void cutAndKeep(RemovalEffects effects, Runnable afterCut) {
    UndoJournal journal = new UndoJournal();
    AppliedChanges changes = Surgery.apply(model, effects, journal, listener);
    try {
      afterCut.run();
    } catch (RuntimeException e) {
      journal.rollback(e);
      throw new PruneFailedException(
          "the forward of the pruned model failed, the pruning was "
              + "rolled back: "
              + e.getMessage(),
          e);
    }
    journal.commit();
    Surgery.cutTrainingState(model, effects); // gradients and optimizer state follow the cut
    history.add(changes);
    graph = null;
  }

  /** A forward of the pruned model under no-grad: it must run before the cut is kept. */
  private void checkForward() {
    noGradForward().get();
  }

  private Map<Integer, double[]> score(DependencyGraph g) {
    GradientProbe.Result grads = losses.isEmpty() ? null : GradientProbe.run(model, losses);
    ImportanceContext ctx =
        new ImportanceContext(
            ModelTensors.of(model),
            grads == null ? null : grads.gradients(),
            grads == null ? null : grads.hessianDiagonal());
    Map<Integer, double[]> scores = new LinkedHashMap<>();
    for (PruningGroup group : g.groups()) {
      double[] s = options.importance().score(group, ctx);
      checkState(
          s.length == group.size(),
          "importance %s gave %s scores for group %s of %s",
          options.importance().name(),
          s.length,
          group.id(),
          group.size());
      lockIgnored(group, s);
      scores.put(group.id(), s);
    }
    return scores;
  }

  /** Channels produced by an ignored module get an infinite score: never the lowest. */
  private void lockIgnored(PruningGroup group, double[] scores) {
    for (Channel c : group.channels()) {
      for (ParamSlice s : c.outputs()) {
        if (isIgnored(s.param())) {
          scores[c.index()] = Double.POSITIVE_INFINITY;
        }
      }
    }
  }

  private boolean isIgnored(String param) {
    String module = param.contains(".") ? param.substring(0, param.lastIndexOf('.')) : "";
    for (String ignored : options.ignored()) {
      if (module.equals(ignored) || module.startsWith(ignored + ".")) {
        return true;
      }
    }
    return false;
  }

  private Map<Integer, long[]> plan(
      DependencyGraph g, Map<Integer, double[]> scores, double progress) {
    if (options.target() != null) {
      return planForTarget(g, scores, progress);
    }
    return plan(g, scores, progress, options.ratio());
  }

  private Map<Integer, long[]> plan(
      DependencyGraph g, Map<Integer, double[]> scores, double progress, double baseRatio) {
    Map<Integer, long[]> removal = new LinkedHashMap<>();
    Map<Integer, Double> fractions =
        options.global() ? globalFractions(g, scores, progress, baseRatio) : null;
    for (PruningGroup group : g.groups()) {
      double[] s = scores.get(group.id());
      int lockedUnits = lockedUnits(group, s);
      int units = GroupPlanner.unitCount(group);
      double fraction;
      if (fractions != null) {
        fraction = fractions.getOrDefault(group.id(), 0.0);
      } else {
        double ratio = ratioOf(group, baseRatio) * progress;
        int orig = originalUnits.getOrDefault(group.leader(), units);
        int keep = (int) Math.round(orig * (1 - ratio));
        fraction =
            options.pruneHeadDims() || GroupPlanner.headCount(group) == 0
                ? Math.max(0, 1 - (double) keep / units)
                : 0;
      }
      fraction = Math.min(fraction, Math.max(0, (double) (units - lockedUnits - 1) / units));
      double headFraction = 0;
      int heads = GroupPlanner.headCount(group);
      if (heads > 0 && options.headRatio() > 0) {
        int origHeads = originalHeads.getOrDefault(group.leader(), heads);
        int keepHeads =
            Math.max(1, (int) Math.round(origHeads * (1 - options.headRatio() * progress)));
        headFraction = Math.max(0, 1 - (double) keepHeads / heads);
      }
      if (fraction <= 0 && headFraction <= 0) {
        continue;
      }
      long[] idx = GroupPlanner.choose(group, s, fraction, headFraction, options.roundTo());
      idx = java.util.Arrays.stream(idx).filter(i -> Double.isFinite(s[(int) i])).toArray();
      if (idx.length > 0) {
        removal.put(group.id(), idx);
      }
    }
    return removal;
  }

  /**
   * The channel ratio whose removal brings MACs (or params) closest to the target of this step, by
   * bisection on cost estimates made from the trace ({@link ModelCost#afterRemoval}), nothing
   * applied.
   */
  private Map<Integer, long[]> planForTarget(
      DependencyGraph g, Map<Integer, double[]> scores, double progress) {
    PruningTarget target = options.target();
    double goal = originalCost * (1 - target.reduction() * progress);
    double lo = 0;
    double hi = MAX_SEARCH_RATIO;
    Map<Integer, long[]> best = plan(g, scores, 1, hi);
    if (cost(g, best) > goal * (1 + TARGET_TOLERANCE)) {
      throw new IllegalArgumentException(
          String.format(
              "the %s target (-%.0f%%) cannot be met: "
                  + "removing %.0f%% of every group's channels leaves %,.0f of %,.0f",
              target.kind(),
              target.reduction() * 100,
              MAX_SEARCH_RATIO * 100,
              cost(g, best),
              originalCost));
    }
    for (int i = 0; i < 14; i++) {
      double mid = (lo + hi) / 2;
      Map<Integer, long[]> candidate = plan(g, scores, 1, mid);
      if (cost(g, candidate) > goal) {
        lo = mid;
      } else {
        hi = mid;
        best = candidate;
      }
    }
    return best;
  }

  private double cost(DependencyGraph g, Map<Integer, long[]> removal) {
    ModelCost c =
        removal.isEmpty()
            ? ModelCost.of(g.trace(), catalog)
            : ModelCost.afterRemoval(g.trace(), g.effects(removal));
    return options.target().kind() == PruningTarget.Kind.MACS ? c.macs() : c.params();
  }

  private static int lockedUnits(PruningGroup group, double[] s) {
    int locked = 0;
    for (double v : s) {
      locked += Double.isInfinite(v) ? 1 : 0;
    }
    return Math.min(locked, GroupPlanner.unitCount(group));
  }

  private double ratioOf(PruningGroup group, double baseRatio) {
    String leader = group.leader();
    String module = leader.contains(".") ? leader.substring(0, leader.lastIndexOf('.')) : leader;
    for (Map.Entry<String, Double> e : options.moduleRatios().entrySet()) {
      if (module.equals(e.getKey()) || module.startsWith(e.getKey() + ".")) {
        return e.getValue();
      }
    }
    return baseRatio;
  }

  /**
   * Global ranking: the lowest-scoring units over all groups (scores normalised by the criterion)
   * go until the total reaches the ratio of all units, no group losing more than maxRatio.
   */
  private Map<Integer, Double> globalFractions(
      DependencyGraph g, Map<Integer, double[]> scores, double progress, double baseRatio) {
    record Unit(int group, double score) {}
    List<Unit> all = new ArrayList<>();
    int totalOrig = 0;
    int totalNow = 0;
    Map<Integer, Integer> sizes = new HashMap<>();
    for (PruningGroup group : g.groups()) {
      double[] us = GroupPlanner.unitScores(group, scores.get(group.id()));
      sizes.put(group.id(), us.length);
      totalNow += us.length;
      totalOrig += originalUnits.getOrDefault(group.leader(), us.length);
      for (double v : us) {
        if (Double.isFinite(v)) {
          all.add(new Unit(group.id(), v));
        }
      }
    }
    int remove = (int) Math.round(totalNow - totalOrig * (1 - baseRatio * progress));
    all.sort(java.util.Comparator.comparingDouble(Unit::score));
    Map<Integer, Integer> counts = new HashMap<>();
    for (Unit u : all) {
      if (remove <= 0) {
        break;
      }
      PruningGroup group = g.group(u.group());
      int orig = originalUnits.getOrDefault(group.leader(), sizes.get(u.group()));
      int current = sizes.get(u.group());
      int already = orig - current + counts.getOrDefault(u.group(), 0);
      if (already + 1 > options.maxRatio() * orig
          || counts.getOrDefault(u.group(), 0) + 1 >= current) {
        continue;
      }
      counts.merge(u.group(), 1, Integer::sum);
      remove--;
    }
    Map<Integer, Double> fractions = new HashMap<>();
    counts.forEach((id, n) -> fractions.put(id, (double) n / sizes.get(id)));
    return fractions;
  }

  static long parameterCount(Module model) {
    long n = 0;
    for (Tensor t : ModelTensors.parameters(model).values()) {
      n += t.numel();
    }
    return n;
  }

  /** A group with the channels the options would remove, for interactive pruning. */
  public static final class GroupProposal {
    private final Pruner pruner;
    private final PruningGroup group;
    private final ImmutableLongArray channels;

    GroupProposal(Pruner pruner, PruningGroup group, ImmutableLongArray channels) {
      this.pruner = pruner;
      this.group = group;
      this.channels = channels;
    }

    public PruningGroup group() {
      return group;
    }

    public ImmutableLongArray channels() {
      return channels;
    }

    /** Prunes these channels now (the pruner re-traces before the next use). */
    public StepReport prune() {
      return pruner.prune(group, channels.toArray());
    }
  }

  /** Fluent configuration; {@link #build()} validates it and traces the model once. */
  public static final class Builder {
    private final Module model;
    private Supplier<Tensor> forward;
    private Importance importance;
    private double ratio = 0.5;
    private final Map<String, Double> moduleRatios = new LinkedHashMap<>();
    private double maxRatio = 1.0;
    private double headRatio;
    private boolean pruneHeadDims = true;
    private final List<String> ignored = new ArrayList<>();
    private boolean global;
    private int steps = 1;
    private Schedule schedule = Schedule.linear();
    private int roundTo = 1;
    private final List<Supplier<Tensor>> losses = new ArrayList<>();
    private final List<Supplier<Tensor>> verificationForwards = new ArrayList<>();
    private PruningTarget target;
    private SurgeryListener listener = SurgeryListener.NONE;
    private ModuleCatalog catalog = ModuleCatalog.builtins();

    private Builder(Module model) {
      this.model = checkNotNull(model, "model");
    }

    /** The forward to trace, for models with several inputs: {@code () -> model.forward(a, b)}. */
    public Builder forward(Supplier<Tensor> forward) {
      this.forward = checkNotNull(forward, "forward");
      return this;
    }

    /** Traces {@code model.forward(input)} (a public {@code forward(Tensor)} of the model). */
    public Builder exampleInput(Tensor input) {
      checkNotNull(input, "input");
      Method m;
      try {
        m = model.getClass().getMethod("forward", Tensor.class);
      } catch (NoSuchMethodException e) {
        throw new IllegalArgumentException(
            model.getClass().getName()
                + " has no public forward(Tensor); pass forward(() -> ...) instead");
      }
      this.forward =
          () -> {
            try {
              return (Tensor) m.invoke(model, input);
            } catch (IllegalAccessException e) {
              throw new IllegalStateException(e);
            } catch (InvocationTargetException e) {
              throw e.getCause() instanceof RuntimeException r
                  ? r
                  : new IllegalStateException(e.getCause());
            }
          };
      return this;
    }

    public Builder importance(Importance importance) {
      this.importance = checkNotNull(importance, "importance");
      return this;
    }

    /** Fraction of channels to remove from every group, in [0, 1). */
    public Builder ratio(double ratio) {
      this.ratio = ratio;
      return this;
    }

    /** A different ratio for the groups led by a module (and its submodules). */
    public Builder ratio(String module, double ratio) {
      moduleRatios.put(checkNotNull(module, "module"), ratio);
      return this;
    }

    public Builder maxRatio(double maxRatio) {
      this.maxRatio = maxRatio;
      return this;
    }

    /** Fraction of whole attention heads to remove (heads found from the traced reshape). */
    public Builder headRatio(double headRatio) {
      this.headRatio = headRatio;
      return this;
    }

    /** Whether attention groups also lose head_dim channels at the channel ratio (default). */
    public Builder pruneHeadDims(boolean prune) {
      this.pruneHeadDims = prune;
      return this;
    }

    /** Modules whose output channels are kept (a classifier, a detection head). */
    public Builder ignore(String... modules) {
      ignored.addAll(List.of(modules));
      return this;
    }

    /** Rank channels across all groups instead of within each. */
    public Builder global(boolean global) {
      this.global = global;
      return this;
    }

    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    public Builder schedule(Schedule schedule) {
      this.schedule = checkNotNull(schedule, "schedule");
      return this;
    }

    /** Kept channel counts rounded to a multiple of this (e.g. 8 for tensor cores). */
    public Builder roundTo(int roundTo) {
      this.roundTo = roundTo;
      return this;
    }

    /**
     * Prune until MACs drop by this fraction (e.g. 0.5 halves them) instead of a fixed channel
     * ratio; the ratio is searched on cost estimates before anything is cut.
     */
    public Builder targetMacsReduction(double reduction) {
      this.target = new PruningTarget(PruningTarget.Kind.MACS, reduction);
      return this;
    }

    /** Prune until parameters drop by this fraction. */
    public Builder targetParamsReduction(double reduction) {
      this.target = new PruningTarget(PruningTarget.Kind.PARAMS, reduction);
      return this;
    }

    /**
     * Told before each change surgery makes (tensor cut, option, call-site rewrite); throwing from
     * it aborts the step, which is rolled back (fault injection in tests, progress logging).
     */
    public Builder surgeryListener(SurgeryListener listener) {
      this.listener = checkNotNull(listener, "listener");
      return this;
    }

    /**
     * The forwards on which {@link Pruner#stepAndVerify()} measures a step it cannot prove whole,
     * e.g. {@code inputs.stream().map(x -> () -> model.forward(x))}: relative output error and
     * top-1 agreement (along the output's last dim) of the pruned against the unpruned model.
     * Default: the example forward alone.
     */
    public Builder verificationForwards(List<Supplier<Tensor>> forwards) {
      checkNotNull(forwards, "forwards");
      forwards.forEach(f -> verificationForwards.add(checkNotNull(f, "a verification forward")));
      return this;
    }

    /**
     * Describes a built-in module type jprune does not know (or replaces the description of one it
     * does), for this pruner only.
     */
    public Builder moduleKind(ModuleKind kind) {
      this.catalog = catalog.with(checkNotNull(kind, "kind"));
      return this;
    }

    /** A loss whose gradients the criterion needs (Taylor, Hessian); one call per sample. */
    public Builder loss(Supplier<Tensor> loss) {
      losses.add(checkNotNull(loss, "loss"));
      return this;
    }

    /**
     * Validates the options, checks that every ignored module exists and that the forward runs, and
     * traces the model.
     *
     * @throws IllegalArgumentException for bad options, unknown modules or a forward that fails
     */
    public Pruner build() {
      checkArgument(forward != null, "give exampleInput(...) or forward(...)");
      checkArgument(importance != null, "give an importance criterion");
      PruningOptions options =
          new PruningOptions(
              importance,
              ratio,
              ImmutableMap.copyOf(moduleRatios),
              maxRatio,
              headRatio,
              pruneHeadDims,
              ImmutableSet.copyOf(ignored),
              global,
              steps,
              schedule,
              roundTo,
              target);
      checkModules(ignored, "ignored");
      checkModules(moduleRatios.keySet(), "ratio");
      Pruner pruner =
          new Pruner(
              model,
              forward,
              options,
              List.copyOf(losses),
              listener,
              List.copyOf(verificationForwards),
              catalog);
      try {
        pruner.graph();
      } catch (TraceFailedException e) {
        throw new IllegalArgumentException(
            "the example forward of " + model.getClass().getName() + " failed: " + e.getMessage(),
            e);
      }
      boolean anything =
          pruner.groups().stream()
              .anyMatch(
                  g ->
                      g.channels().stream()
                          .anyMatch(
                              c ->
                                  c.outputs().stream()
                                      .noneMatch(s -> pruner.isIgnored(s.param()))));
      checkArgument(
          anything || ratio == 0 || !pruner.groups().isEmpty(),
          "nothing to prune: no "
              + "channel of %s can be removed (its inputs and outputs, and what jprune keeps whole, "
              + "fix every channel)",
          model.getClass().getSimpleName());
      checkArgument(
          anything || ratio == 0,
          "nothing to prune: every prunable channel belongs " + "to an ignored module %s",
          ignored);
      return pruner;
    }

    private void checkModules(Iterable<String> names, String what) {
      List<String> known = new ArrayList<>();
      StringSharedModuleDict named = model.named_modules();
      for (long i = 0; i < named.size(); i++) {
        if (named.get(i).key() != null && !named.get(i).key().isNull()) {
          known.add(named.get(i).key().getString());
        }
      }
      for (String n : names) {
        checkArgument(
            known.contains(n),
            "%s module '%s' is not a module of %s",
            what,
            n,
            model.getClass().getSimpleName());
      }
    }
  }
}
