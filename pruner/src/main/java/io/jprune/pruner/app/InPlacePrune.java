package io.jprune.pruner.app;

import io.jprune.agent.PruneSettings;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.save.PrunedModelFiles;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Prunes the application's live model as the agent's settings say, in eval mode (dropout would make
 * the verification random and BatchNorm would update its running statistics from the probing
 * forwards), restoring the module's training flag afterwards, and prints one summary line.
 */
final class InPlacePrune {
  /** Relative tolerance of {@code verify=true}, as the CLI's. */
  static final double REL_TOL = 1e-5;

  private InPlacePrune() {}

  /** Prunes {@code root}; {@code when} says in the summary line when it happened. */
  static Pruner run(
      Module root, Supplier<Tensor> forward, PruneSettings s, String when, PrintStream log) {
    long t0 = System.nanoTime();
    boolean training = root.is_training();
    root.eval();
    try {
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
      Pruner pruner = b.build();
      ModelCost before = ModelCost.of(pruner.graph().trace());
      List<String> checks = new ArrayList<>();
      boolean failed = false;
      while (pruner.stepsDone() < s.steps()) {
        if (s.verify()) {
          VerifiedStep v = pruner.stepAndVerify();
          boolean ok = v.passes(REL_TOL);
          failed |= !ok;
          checks.add(
              v.equivalence().exactExpected()
                  ? (ok ? "equal to the masked original" : "DIFFERS from the masked original")
                      + String.format(
                          Locale.ROOT, " (max abs diff %.3g)", v.equivalence().maxAbsDiff())
                  : "not comparable exactly");
        } else {
          pruner.step();
        }
      }
      ModelCost after = ModelCost.of(pruner.graph().trace());
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.println(
          String.format(
              Locale.ROOT,
              "[jprune] pruned %s %s in %.2f s: params %,d -> %,d,"
                  + " MACs %,d -> %,d; verify: %s",
              root.getClass().getName(),
              when,
              seconds,
              before.params(),
              after.params(),
              before.macs(),
              after.macs(),
              s.verify() ? String.join(", ", checks) : "not asked (verify=true)"));
      s.output()
          .ifPresent(
              dir -> {
                PrunedModelFiles.save(root, pruner, dir);
                log.println("[jprune] pruned model saved to " + dir);
              });
      if (failed) {
        log.println("[jprune] WARNING: the pruned model differs from the masked original");
      }
      return pruner;
    } finally {
      root.train(training);
    }
  }
}
