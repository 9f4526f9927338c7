package io.jprune.pruner.app;

import io.jprune.agent.PruneSettings;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.StepReport;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.save.PrunedModelFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Prunes the application's live model as the agent's settings say, in eval mode (dropout would make
 * the verification random and BatchNorm would update its running statistics from the probing
 * forwards), restoring the module's training flag afterwards, and logs one summary line.
 */
final class InPlacePrune {
  /** Relative tolerance of {@code verify=true}, as the CLI's. */
  static final double REL_TOL = 1e-5;

  /** One step's verification: whether it passed, and how it reads in the summary. */
  private record Check(boolean passes, String text) {}

  private InPlacePrune() {}

  /** Prunes {@code root}; {@code when} says in the summary line when it happened. */
  static Pruner run(
      Module root, Supplier<Tensor> forward, PruneSettings s, String when, AgentLog log) {
    long t0 = System.nanoTime();
    boolean training = root.is_training();
    root.eval();
    try {
      Pruner pruner = pruner(root, forward, s);
      ModelCost before = ModelCost.of(pruner.graph().trace());
      List<Check> checks = allSteps(pruner, s.steps(), s.verify(), log);
      ModelCost after = ModelCost.of(pruner.graph().trace());
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.result(summary(root, when, seconds, before, after, s.verify() ? checks : null));
      s.output()
          .ifPresent(
              dir -> {
                PrunedModelFiles.save(root, pruner, dir);
                log.result("pruned model saved to " + dir);
              });
      if (checks.stream().anyMatch(c -> !c.passes())) {
        log.problem("the pruned model differs from the masked original");
      }
      return pruner;
    } finally {
      root.train(training);
    }
  }

  private static Pruner pruner(Module root, Supplier<Tensor> forward, PruneSettings s) {
    PrunerBuilder b =
        Pruner.builder(root)
            .forward(forward)
            .importance(Importances.byName(s.importance(), 0))
            .ratio(s.ratio())
            .headRatio(s.headRatio())
            .global(s.global())
            .steps(s.steps())
            .roundTo(s.roundTo())
            .ignore(s.ignore().toArray(String[]::new));
    if (Importances.needsGradients(s.importance())) {
      b.loss(() -> forward.get().square().mean());
    }
    return b.build();
  }

  /** Runs the remaining steps; their checks when {@code verify}, else none. */
  private static List<Check> allSteps(Pruner pruner, int steps, boolean verify, AgentLog log) {
    List<Check> checks = new ArrayList<>();
    while (pruner.stepsDone() < steps) {
      if (verify) {
        VerifiedStep v = pruner.stepAndVerify();
        Check c = checkOf(v);
        checks.add(c);
        log.detail(() -> v.step() + "; verify: " + c.text());
      } else {
        StepReport r = pruner.step();
        log.detail(r::toString);
      }
    }
    return checks;
  }

  private static Check checkOf(VerifiedStep v) {
    if (!v.equivalence().exactExpected()) {
      return new Check(v.passes(REL_TOL), "not comparable exactly");
    }
    boolean ok = v.passes(REL_TOL);
    return new Check(
        ok,
        (ok ? "equal to the masked original" : "DIFFERS from the masked original")
            + String.format(Locale.ROOT, " (max abs diff %.3g)", v.equivalence().maxAbsDiff()));
  }

  /** The summary line; {@code checks} null when verification was not asked for. */
  private static String summary(
      Module root,
      String when,
      double seconds,
      ModelCost before,
      ModelCost after,
      List<Check> checks) {
    return String.format(
        Locale.ROOT,
        "pruned %s %s in %.2f s: params %,d -> %,d, MACs %,d -> %,d; verify: %s",
        root.getClass().getName(),
        when,
        seconds,
        before.params(),
        after.params(),
        before.macs(),
        after.macs(),
        checks == null
            ? "not asked (verify=true)"
            : String.join(", ", checks.stream().map(Check::text).toList()));
  }
}
