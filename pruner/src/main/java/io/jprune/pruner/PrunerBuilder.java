package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.plan.IgnoredModules;
import io.jprune.pruner.plan.PruningOptions;
import io.jprune.pruner.plan.PruningTarget;
import io.jprune.pruner.plan.Schedule;
import io.jprune.pruner.surgery.SurgeryListener;
import io.jprune.tracer.TraceFailedException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Fluent configuration of a {@link Pruner} ({@link Pruner#builder}); {@link #build()} validates it
 * and traces the model once.
 */
public final class PrunerBuilder {
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

  PrunerBuilder(Module model) {
    this.model = checkNotNull(model, "model");
  }

  /** The forward to trace, for models with several inputs: {@code () -> model.forward(a, b)}. */
  public PrunerBuilder forward(Supplier<Tensor> forward) {
    this.forward = checkNotNull(forward, "forward");
    return this;
  }

  /** Traces {@code model.forward(input)} (a public {@code forward(Tensor)} of the model). */
  public PrunerBuilder exampleInput(Tensor input) {
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

  /** The channel criterion (see {@code Importances}); required. */
  public PrunerBuilder importance(Importance importance) {
    this.importance = checkNotNull(importance, "importance");
    return this;
  }

  /** Fraction of channels to remove from every group, in [0, 1). */
  public PrunerBuilder ratio(double ratio) {
    this.ratio = ratio;
    return this;
  }

  /** A different ratio for the groups led by a module (and its submodules). */
  public PrunerBuilder ratio(String module, double ratio) {
    moduleRatios.put(checkNotNull(module, "module"), ratio);
    return this;
  }

  /** With global ranking, no group loses more than this fraction of its channels, in (0, 1]. */
  public PrunerBuilder maxRatio(double maxRatio) {
    this.maxRatio = maxRatio;
    return this;
  }

  /** Fraction of whole attention heads to remove (heads found from the traced reshape). */
  public PrunerBuilder headRatio(double headRatio) {
    this.headRatio = headRatio;
    return this;
  }

  /** Whether attention groups also lose head_dim channels at the channel ratio (default). */
  public PrunerBuilder pruneHeadDims(boolean prune) {
    this.pruneHeadDims = prune;
    return this;
  }

  /** Modules whose output channels are kept (a classifier, a detection head). */
  public PrunerBuilder ignore(String... modules) {
    ignored.addAll(List.of(modules));
    return this;
  }

  /** Rank channels across all groups instead of within each. */
  public PrunerBuilder global(boolean global) {
    this.global = global;
    return this;
  }

  /** Iterative steps reaching the ratio (each re-traces and re-scores); default 1. */
  public PrunerBuilder steps(int steps) {
    this.steps = steps;
    return this;
  }

  /** How much of the ratio each step reaches (default {@link Schedule#linear()}). */
  public PrunerBuilder schedule(Schedule schedule) {
    this.schedule = checkNotNull(schedule, "schedule");
    return this;
  }

  /** Kept channel counts rounded to a multiple of this (e.g. 8 for tensor cores). */
  public PrunerBuilder roundTo(int roundTo) {
    this.roundTo = roundTo;
    return this;
  }

  /**
   * Prune until MACs drop by this fraction (e.g. 0.5 halves them) instead of a fixed channel ratio;
   * the ratio is searched on cost estimates before anything is cut.
   */
  public PrunerBuilder targetMacsReduction(double reduction) {
    this.target = new PruningTarget(PruningTarget.Kind.MACS, reduction);
    return this;
  }

  /** Prune until parameters drop by this fraction. */
  public PrunerBuilder targetParamsReduction(double reduction) {
    this.target = new PruningTarget(PruningTarget.Kind.PARAMS, reduction);
    return this;
  }

  /**
   * Told before each change surgery makes (tensor cut, option, call-site rewrite); throwing from it
   * aborts the step, which is rolled back (fault injection in tests, progress logging).
   */
  public PrunerBuilder surgeryListener(SurgeryListener listener) {
    this.listener = checkNotNull(listener, "listener");
    return this;
  }

  /**
   * The forwards on which {@link Pruner#stepAndVerify()} measures a step it cannot prove whole,
   * e.g. {@code inputs.stream().map(x -> () -> model.forward(x))}: relative output error and top-1
   * agreement (along the output's last dim) of the pruned against the unpruned model. Default: the
   * example forward alone.
   */
  public PrunerBuilder verificationForwards(List<Supplier<Tensor>> forwards) {
    checkNotNull(forwards, "forwards");
    forwards.forEach(f -> verificationForwards.add(checkNotNull(f, "a verification forward")));
    return this;
  }

  /**
   * Describes a built-in module type jprune does not know (or replaces the description of one it
   * does), for this pruner only.
   */
  public PrunerBuilder moduleKind(ModuleKind kind) {
    this.catalog = catalog.with(checkNotNull(kind, "kind"));
    return this;
  }

  /** A loss whose gradients the criterion needs (Taylor, Hessian); one call per sample. */
  public PrunerBuilder loss(Supplier<Tensor> loss) {
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
    PruningOptions options = options();
    checkModules();
    Pruner pruner = traced(options);
    checkSomethingToPrune(pruner.groups(), IgnoredModules.of(ignored));
    return pruner;
  }

  private PruningOptions options() {
    return new PruningOptions(
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
  }

  /** The pruner, once its first trace ran: a failing example forward is the caller's error. */
  private Pruner traced(PruningOptions options) {
    IgnoredModules locked = IgnoredModules.of(options.ignored());
    try {
      return new Pruner(
          model,
          options,
          catalog,
          new Forwards(forward, verificationForwards),
          new ChannelScoring(model, importance, losses, locked),
          new AtomicCuts(model, listener));
    } catch (TraceFailedException e) {
      throw new IllegalArgumentException(
          "the example forward of " + model.getClass().getName() + " failed: " + e.getMessage(), e);
    }
  }

  private void checkSomethingToPrune(List<PruningGroup> groups, IgnoredModules locked) {
    boolean anything = locked.leaveAnyFree(groups);
    checkArgument(
        anything || ratio == 0 || !groups.isEmpty(),
        "nothing to prune: no channel of %s can be removed (its inputs and outputs, and what "
            + "jprune keeps whole, fix every channel)",
        model.getClass().getSimpleName());
    checkArgument(
        anything || ratio == 0,
        "nothing to prune: every prunable channel belongs to an ignored module %s",
        ignored);
  }

  /** Every module named by {@link #ignore} and {@link #ratio(String, double)} exists. */
  private void checkModules() {
    if (ignored.isEmpty() && moduleRatios.isEmpty()) {
      return; // nothing named: no walk of the model's modules
    }
    Set<String> known = modulePaths();
    checkKnown(ignored, "ignored", known);
    checkKnown(moduleRatios.keySet(), "ratio", known);
  }

  /** The model's module paths, one walk, each native name copied once. */
  private Set<String> modulePaths() {
    Set<String> known = new HashSet<>();
    StringSharedModuleDict named = model.named_modules();
    for (long i = 0, n = named.size(); i < n; i++) {
      BytePointer key = named.get(i).key();
      if (key != null && !key.isNull()) {
        known.add(key.getString());
      }
    }
    return known;
  }

  private void checkKnown(Iterable<String> names, String what, Set<String> known) {
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
