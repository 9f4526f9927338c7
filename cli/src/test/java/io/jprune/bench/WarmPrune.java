package io.jprune.bench;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.StepReport;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.Latency;
import io.jprune.pruner.report.ModelCost;
import io.jprune.zoo.ZooModel;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The warm side of {@link PruneBench}, one model per JVM: {@code warmup} untimed prunes of fresh
 * models (instrumentation, libtorch start, then the JIT compiling the pruner's hot loops), then
 * {@code rounds} timed prunes of fresh models, each timed as Torch-Pruning's side is: build (trace
 * + graph, TP's pruner construction) and one step at ratio 0.5 with L2 group magnitude, classifier
 * ignored, one thread. Prints one line {@code WARM key=value ...} with medians, the StepReport
 * split and the forward before and after, and {@code second_ms}: the prune right after the first,
 * before the JIT has settled.
 *
 * <p>Arguments: {@code MODEL IGNORED ROUNDS [WARMUP]} (warm-up prunes, default 1; at least 1).
 */
public final class WarmPrune {
  private WarmPrune() {}

  public static void main(String[] args) {
    ZooModel zoo = ZooModel.valueOf(args[0]);
    String ignored = args[1];
    int rounds = Integer.parseInt(args[2]);
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    Libtorch.load();
    Libtorch.setIntraOpThreads(1);
    prune(zoo, ignored, false);
    double second = Double.NaN;
    for (int w = 1; w < warmup; w++) {
      Run run = prune(zoo, ignored, false);
      if (w == 1) {
        second = run.buildMs + run.stepMs;
      }
    }
    double[] build = new double[rounds];
    double[] step = new double[rounds];
    long[][] split = new long[rounds][];
    Run last = null;
    for (int r = 0; r < rounds; r++) {
      last = prune(zoo, ignored, r == rounds - 1);
      build[r] = last.buildMs;
      step[r] = last.stepMs;
      split[r] = last.split;
      if (r == 0 && warmup == 1) {
        second = last.buildMs + last.stepMs;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "WARM model=%s warmup=%d second_ms=%.1f build_ms=%.1f step_ms=%.1f total_ms=%.1f "
            + "trace_ms=%d graph_ms=%d importance_ms=%d surgery_ms=%d params_before=%d "
            + "params_after=%d macs_before=%d macs_after=%d fwd_before_ms=%.2f fwd_after_ms=%.2f%n",
        zoo,
        warmup,
        second,
        median(build),
        median(step),
        median(sum(build, step)),
        medianOf(split, 0),
        medianOf(split, 1),
        medianOf(split, 2),
        medianOf(split, 3),
        last.paramsBefore,
        last.paramsAfter,
        last.macsBefore,
        last.macsAfter,
        last.fwdBefore,
        last.fwdAfter);
  }

  private record Run(
      double buildMs,
      double stepMs,
      long[] split,
      long paramsBefore,
      long paramsAfter,
      long macsBefore,
      long macsAfter,
      double fwdBefore,
      double fwdAfter) {}

  private static Run prune(ZooModel zoo, String ignored, boolean measureForward) {
    Module model = zoo.create(0);
    Tensor x = zoo.exampleInput(0);
    Supplier<Tensor> forward = () -> zoo.forward(model, x);
    double fwdBefore = measureForward ? Latency.measure(forward, 2, 5).medianMs() : 0;
    long t0 = System.nanoTime();
    Pruner pruner =
        Pruner.builder(model)
            .forward(forward)
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .headRatio(0)
            .ignore(ignored)
            .build();
    long t1 = System.nanoTime();
    StepReport report = pruner.step();
    long t2 = System.nanoTime();
    double fwdAfter = measureForward ? Latency.measure(forward, 2, 5).medianMs() : 0;
    long macsBefore = 0;
    long macsAfter = 0;
    if (measureForward) {
      // outside the timed span: the cost table re-traces both models
      macsAfter = ModelCost.of(pruner.graph().trace()).macs();
      Module fresh = zoo.create(0);
      macsBefore =
          ModelCost.of(
                  Pruner.builder(fresh)
                      .forward(() -> zoo.forward(fresh, x))
                      .importance(Importances.magnitude(2))
                      .build()
                      .graph()
                      .trace())
              .macs();
    }
    long[] split = {
      report.traceMillis(), report.graphMillis(), report.importanceMillis(), report.surgeryMillis()
    };
    return new Run(
        (t1 - t0) / 1e6,
        (t2 - t1) / 1e6,
        split,
        report.paramsBefore(),
        report.paramsAfter(),
        macsBefore,
        macsAfter,
        fwdBefore,
        fwdAfter);
  }

  private static double[] sum(double[] a, double[] b) {
    double[] s = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      s[i] = a[i] + b[i];
    }
    return s;
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static long medianOf(long[][] rows, int column) {
    return Math.round(median(Arrays.stream(rows).mapToDouble(r -> r[column]).toArray()));
  }
}
