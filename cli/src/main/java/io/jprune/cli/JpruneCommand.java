package io.jprune.cli;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.nativeconfig.RuntimeInfo;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.StepReport;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.report.GroupsDot;
import io.jprune.pruner.report.GroupsHtml;
import io.jprune.pruner.report.Latency;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.report.PruningOutcome;
import io.jprune.pruner.report.PruningReport;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.zoo.ZooModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jprune}: prunes a model of the zoo, or the user's own class ({@code --class}, see {@link
 * UserModel}), in this JVM, checks the pruned output against the masked original where that
 * comparison must be exact, and prints the before/after table with latencies and where the time
 * went. With no arguments it prunes the DINO ViT-S (q/k/v taken with {@code select}) by half of its
 * channels and half of its heads.
 */
@Command(
    name = "jprune",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description =
        "Structurally prunes a zoo model (traced, exact channel groups), verifies it "
            + "and prints params, MACs and latency before and after.")
public final class JpruneCommand implements Callable<Integer> {
  /** Relative tolerance of the equivalence check (float32 sums in another order). */
  static final double REL_TOL = 1e-5;

  @Option(
      names = "--model",
      defaultValue = "VIT_S_SELECT",
      paramLabel = "NAME",
      description = "zoo model (default ${DEFAULT-VALUE}): ${COMPLETION-CANDIDATES}")
  ZooModel model;

  @Option(
      names = "--class",
      paramLabel = "CLASS",
      description = "your model class (a Module, any package and visibility) instead of --model")
  String userClass;

  @Option(
      names = "--classpath",
      paramLabel = "CP",
      description = "where --class and its dependencies are (the bindings come with jprune)")
  String classPath;

  @Option(
      names = "--factory",
      paramLabel = "METHOD",
      description =
          "static no-argument method of --class building the model (default: its "
              + "no-argument constructor)")
  String factory;

  @Option(
      names = "--input",
      paramLabel = "SHAPE",
      description = "example input of --class, e.g. 1,3,224,224 or 1,16:long (default float)")
  String input;

  @Option(
      names = "--weights",
      paramLabel = "FILE",
      description = "weights of --class: an archive written by module.save(OutputArchive)")
  Path weights;

  @Option(
      names = "--ratio",
      defaultValue = "0.5",
      paramLabel = "R",
      description =
          "fraction of each group's channels to remove, in [0, 1) (default " + "${DEFAULT-VALUE})")
  double ratio;

  @Option(
      names = "--head-ratio",
      defaultValue = "0.5",
      paramLabel = "R",
      description =
          "fraction of whole attention heads to remove, in [0, 1) (default "
              + "${DEFAULT-VALUE}; heads are found from the traced reshape)")
  double headRatio;

  @Option(
      names = "--importance",
      defaultValue = "l2",
      paramLabel = "C",
      description =
          "criterion: l1, l2, bn, lamp, taylor, hessian, fpgm, random (default "
              + "${DEFAULT-VALUE}); taylor and hessian use the mean squared output as a label-free "
              + "loss")
  Criterion importance;

  @Option(names = "--global", description = "rank channels across all groups")
  boolean global;

  @Option(
      names = "--steps",
      defaultValue = "1",
      paramLabel = "N",
      description = "iterative steps reaching the ratio (default ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--round-to",
      defaultValue = "1",
      paramLabel = "N",
      description = "keep channel counts a multiple of N (default ${DEFAULT-VALUE})")
  int roundTo;

  @Option(
      names = "--ignore",
      split = ",",
      paramLabel = "MODULE",
      description = "modules whose output channels are kept (comma-separated)")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "save record.json and weights.pt of the pruned model here")
  Path output;

  @Option(
      names = "--replace-output",
      description =
          "let --output replace a directory that " + "holds another model's save or other files")
  boolean replaceOutput;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description =
          "write a self-contained HTML report: the traced graph, each group's "
              + "layers, numbers and kept channels, widths before and after per layer")
  Path html;

  @Option(
      names = "--dot",
      paramLabel = "FILE",
      description = "write the groups as Graphviz DOT (layers coupled by each group)")
  Path dot;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "libtorch intra-op threads (default: available processors - 1, at least 1)")
  Integer threads;

  @Option(
      names = "--runs",
      defaultValue = "5",
      paramLabel = "N",
      description =
          "timed forwards for the latency before and after, 0 to skip (default "
              + "${DEFAULT-VALUE})")
  int runs;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "S",
      description = "seed of the model weights, example input and random criterion")
  long seed;

  @Option(names = "--no-verify", description = "skip the comparison with the masked original")
  boolean noVerify;

  @Spec CommandSpec spec;

  /** Runs the command and exits with its status (2 for a user error or a failed check). */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli command line (criteria and models case-insensitive). */
  static CommandLine commandLine() {
    return UserErrors.install(
        new CommandLine(new JpruneCommand()).setCaseInsensitiveEnumValuesAllowed(true));
  }

  /**
   * Loads libtorch and the model, prunes it step by step (verified unless {@code --no-verify}),
   * prints the before/after table, the checks and where the time went, and writes what was asked
   * for (DOT, HTML, the pruned model).
   *
   * @return 0, or 2 when a check failed
   */
  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    UserErrors.checkOptions(this);
    int nThreads = start();
    ModelSource.Loaded m = source().load(seed);
    if (output != null && !replaceOutput) {
      PrunedModelFiles.checkOwnSave(output, m.model().getClass().getName());
    }
    ConsoleProgress progress = new ConsoleProgress(out, System.console() != null);
    progress.show(0, steps, "tracing " + m.name() + " and building its graph");
    Pruner pruner = pruner(m);
    releaseFirstTrace();
    DependencyGraph original = pruner.graph();
    RoundToCheck.check(roundTo, original.groups(), spec.commandLine().getErr());
    ModelCost before = ModelCost.of(original.trace());
    if (dot != null) {
      write(dot, GroupsDot.render(original));
    }
    Timed<Latency> latencyBefore =
        runs > 0 ? timeForward(progress, 0, "timing the original forward", m) : null;
    Steps done = prune(pruner, progress);
    Timed<ModelCost> after = Timed.of(() -> costAfter(pruner, original, done, progress));
    PruningReport table = PruningReport.of(title(m.name(), nThreads), before, after.value());
    Timed<Latency> latencyAfter = null;
    if (runs > 0) {
      latencyAfter = timeForward(progress, steps, "timing the pruned forward", m);
      table = table.withLatency(latencyBefore.value(), latencyAfter.value());
    }
    progress.done();
    writeHtml(original, table, done.reports());
    out.print(table.render());
    done.checks().forEach(c -> out.println("verify " + c));
    save(out, m.model(), pruner);
    long latencyNanos = runs > 0 ? latencyBefore.nanos() + latencyAfter.nanos() : 0;
    out.println(
        timeSplit(
            done.reports(),
            done.verifyNanos(),
            latencyNanos,
            after.nanos(),
            System.nanoTime() - start));
    out.flush();
    return done.failed() ? 2 : 0;
  }

  /**
   * Loads libtorch while the agent instruments the classes loaded so far (the zoo's; a {@code
   * --class} model's are rewritten as they load), then sets libtorch's intra-op threads and returns
   * their number. The two overlap: loading the natives is file and linker work on one thread, the
   * instrumentation Java work on another (the pruner would attach the agent at its first trace
   * anyway). One core is left to the JVM: OpenMP's threads spin while they wait, and with every
   * core theirs the JIT and GC threads starved them (2 threads on 2 cores: a ViT-S forward took 890
   * ms instead of 78 ms; with OMP_WAIT_POLICY=PASSIVE, 77 ms).
   */
  private int start() {
    ColdStart<RuntimeInfo> natives = ColdStart.begin("jprune-libtorch-load", Libtorch::load);
    JPruneAgent.selfAttach(AgentConfig.defaults());
    natives.await();
    int n = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    Libtorch.setIntraOpThreads(n);
    return n;
  }

  /**
   * Frees the first trace's intermediates now: that forward was the model's first call, so it ran
   * unscoped (state a model creates then must live), and its activations stay allocated until the
   * collector finds their Java peers. Collected here, their memory is reused by the latency runs
   * and the cut's forward instead of adding to it: ResNet-50's peak RSS fell by about 130 MB, for a
   * collection of a small heap (tens of ms).
   */
  private static void releaseFirstTrace() {
    System.gc();
  }

  /** The zoo model, or the user's class when {@code --class} is given. */
  private ModelSource source() {
    if (userClass == null) {
      return new ModelSource.Zoo(model);
    }
    if (input == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--class needs --input (the example input's shape)");
    }
    return new ModelSource.UserClass(classPath, userClass, factory, input, weights);
  }

  /** The pruner of the options (traces the model once). */
  private Pruner pruner(ModelSource.Loaded m) {
    PrunerBuilder builder =
        Pruner.builder(m.model())
            .forward(m.forward())
            .verificationForwards(m.verificationForwards())
            .importance(importance.importance(seed))
            .ratio(ratio)
            .headRatio(headRatio)
            .global(global)
            .steps(steps)
            .roundTo(roundTo)
            .ignore(ignore.toArray(String[]::new));
    if (importance.needsLoss()) {
      Supplier<Tensor> forward = m.forward();
      builder.loss(() -> forward.get().square().mean());
    }
    return builder.build();
  }

  /**
   * What the steps did.
   *
   * @param checks one line per verified step
   * @param failed whether a check failed
   * @param verifyNanos time spent verifying
   */
  record Steps(List<StepReport> reports, List<String> checks, boolean failed, long verifyNanos) {}

  /** Runs every step, verified unless {@code --no-verify}. */
  private Steps prune(Pruner pruner, ConsoleProgress progress) {
    List<StepReport> reports = new ArrayList<>();
    List<String> checks = new ArrayList<>();
    boolean failed = false;
    long verifyNanos = 0;
    for (int s = 0; s < steps; s++) {
      progress.show(s, steps, "scoring, planning and cutting");
      if (noVerify) {
        reports.add(pruner.step());
        continue;
      }
      VerifiedStep v = pruner.stepAndVerify();
      reports.add(v.step());
      verifyNanos += v.verifyMillis() * 1_000_000;
      failed |= !v.passes(REL_TOL);
      checks.add(String.format(Locale.ROOT, "step %d: %s", v.step().step(), v.summary(REL_TOL)));
    }
    return new Steps(List.copyOf(reports), List.copyOf(checks), failed, verifyNanos);
  }

  /**
   * The pruned model's cost. One step: counted from the original trace and that step's effects
   * ({@link ModelCost#afterRemoval}, equal to a trace of the pruned model), so the pruned model is
   * not traced again for the table. More steps: the last step's graph is the pruner's, so the
   * pruned model is traced again.
   */
  private ModelCost costAfter(
      Pruner pruner, DependencyGraph original, Steps done, ConsoleProgress progress) {
    if (done.reports().size() == 1) {
      return ModelCost.afterRemoval(original.trace(), done.reports().get(0).effects());
    }
    progress.show(steps, steps, "re-tracing the pruned model");
    return ModelCost.of(pruner.graph().trace());
  }

  /** A value and the nanoseconds it took. */
  record Timed<T>(T value, long nanos) {
    static <T> Timed<T> of(Supplier<T> work) {
      long t = System.nanoTime();
      T value = work.get();
      return new Timed<>(value, System.nanoTime() - t);
    }
  }

  private Timed<Latency> timeForward(
      ConsoleProgress progress, int done, String phase, ModelSource.Loaded m) {
    progress.show(done, steps, phase);
    // the model ran before (traced): no first-call state to keep, every run frees its temporaries
    return Timed.of(() -> Latency.measureWarm(m.forward(), 2, runs));
  }

  private String title(String name, int nThreads) {
    return String.format(
        Locale.ROOT,
        "%s, %s importance, ratio %s, head ratio %s, %d step(s)%s, %d thread(s)",
        name,
        importance.name().toLowerCase(Locale.ROOT),
        ratio,
        headRatio,
        steps,
        global ? ", global" : "",
        nThreads);
  }

  /** The original graph, with where each group's channels went in every step (--html). */
  private void writeHtml(DependencyGraph original, PruningReport table, List<StepReport> reports)
      throws IOException {
    if (html == null) {
      return;
    }
    write(
        html,
        GroupsHtml.render(
            original,
            table.title(),
            PruningOutcome.of(
                table,
                reports.stream().map(StepReport::effects).toList(),
                reports.isEmpty() ? Map.of() : reports.get(0).scores())));
  }

  /** Saves the pruned model (--output). */
  private void save(PrintWriter out, Module m, Pruner pruner) {
    if (output == null) {
      return;
    }
    PrunedModelFiles.save(m, pruner.history(), output, replaceOutput);
    out.println(
        "saved "
            + output.resolve(PrunedModelFiles.RECORD)
            + " and "
            + output.resolve(PrunedModelFiles.WEIGHTS));
  }

  /** Wall time split: trace / graph / importance / surgery of every step, then the rest. */
  static String timeSplit(
      List<StepReport> reports,
      long verifyNanos,
      long latencyNanos,
      long tableNanos,
      long wallNanos) {
    long trace = reports.stream().mapToLong(StepReport::traceMillis).sum();
    long graph = reports.stream().mapToLong(StepReport::graphMillis).sum();
    long importance = reports.stream().mapToLong(StepReport::importanceMillis).sum();
    long surgery = reports.stream().mapToLong(StepReport::surgeryMillis).sum();
    long verify = verifyNanos / 1_000_000;
    long latency = latencyNanos / 1_000_000;
    long table = tableNanos / 1_000_000;
    long wall = wallNanos / 1_000_000;
    long other =
        Math.max(0, wall - trace - graph - importance - surgery - verify - latency - table);
    return String.format(
        Locale.ROOT,
        "wall time %.2f s: trace %.2f s, graph %.2f s, importance "
            + "%.2f s, surgery %.2f s | verify %.2f s, latency runs %.2f s, cost table "
            + "%.2f s, other (libtorch start, model build) %.2f s",
        wall / 1e3,
        trace / 1e3,
        graph / 1e3,
        importance / 1e3,
        surgery / 1e3,
        verify / 1e3,
        latency / 1e3,
        table / 1e3,
        other / 1e3);
  }

  private static void write(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
