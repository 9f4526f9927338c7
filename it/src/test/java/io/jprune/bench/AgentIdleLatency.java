package io.jprune.bench;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.tracer.Tracer;
import io.jprune.zoo.ZooModel;
import java.util.Arrays;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Forward latency of a zoo model (default ResNet-50 at 224x224) without any agent, then, in the
 * same JVM, with the agent attached and idle (every call site of the model rewritten), and while
 * tracing. A plain harness, not a test: run it with {@code java -Djdk.attach.allowAttachSelf=true
 * -cp <it test classpath> io.jprune.bench.AgentIdleLatency [MODEL] [iterations]
 * [same-jvm|none|attached]} and read the ratio it prints; with none/attached each run measures one
 * condition in its own JVM.
 */
public final class AgentIdleLatency {
  /** Fastest single forward seen: robust to the slow phases this machine's load causes. */
  private static double fastest = Double.MAX_VALUE;

  private AgentIdleLatency() {}

  public static void main(String[] args) {
    ZooModel zoo = ZooModel.valueOf(args.length > 0 ? args[0] : "RESNET50");
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    String mode = args.length > 2 ? args[2] : "same-jvm";
    Libtorch.setIntraOpThreads(1);
    if (!mode.equals("same-jvm")) {
      // One JVM per condition; run "none" and "attached" alternately and compare medians.
      if (mode.equals("attached")) {
        JPruneAgent.selfAttach(AgentConfig.defaults()); // the whole application
      }
      Module model = zoo.create(1);
      Tensor input = zoo.exampleInput(1);
      double first = median(zoo, model, input, iterations);
      System.out.printf(
          "%s %s: median %.2f ms, then %.2f ms; fastest %.2f ms%n",
          zoo, mode, first, median(zoo, model, input, iterations), fastest);
      return;
    }
    Module model = zoo.create(1);
    Tensor input = zoo.exampleInput(1);
    double before = median(zoo, model, input, iterations);
    JPruneAgent.selfAttach(AgentConfig.defaults()); // the whole application
    double idle = median(zoo, model, input, iterations);
    double[] traced = new double[5];
    for (int i = 0; i < traced.length; i++) {
      long t0 = System.nanoTime();
      Tracer.trace(model, () -> zoo.forward(model, input));
      traced[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(traced);
    System.out.printf(
        "%s forward, median of %d: no agent %.2f ms, agent idle %.2f ms "
            + "(%+.2f%%), tracing %.2f ms (%d call sites instrumented)%n",
        zoo,
        iterations,
        before,
        idle,
        100 * (idle / before - 1),
        traced[2],
        JPruneAgent.instrumentedClasses().values().stream().mapToInt(Integer::intValue).sum());
  }

  private static double median(ZooModel zoo, Module model, Tensor input, int n) {
    double[] ms = new double[n];
    try (NoGradGuard g = new NoGradGuard()) {
      for (int i = 0; i < 15; i++) {
        zoo.forward(model, input);
      }
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        zoo.forward(model, input);
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    fastest = Math.min(fastest, ms[0]);
    return ms[n / 2];
  }
}
