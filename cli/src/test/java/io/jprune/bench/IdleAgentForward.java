package io.jprune.bench;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.zoo.ZooModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * An application that only runs forwards, as one deploys a model: started once with the pruning
 * agent ({@code -javaagent:pruner/target/jprune-agent.jar}, no pruning asked for, so every model
 * class is rewritten and idle) and once without, alternately, it shows what the idle agent costs a
 * forward. One thread; prints one line {@code IDLE key=value ...} with the median wall and CPU time
 * (of this thread, which runs the ops with one intra-op thread) per forward, after warm-up.
 *
 * <p>Arguments: {@code MODEL WARMUP FORWARDS}.
 */
public final class IdleAgentForward {
  private IdleAgentForward() {}

  public static void main(String[] args) {
    ZooModel zoo = ZooModel.valueOf(args[0]);
    int warmup = Integer.parseInt(args[1]);
    int forwards = Integer.parseInt(args[2]);
    Libtorch.load();
    Libtorch.setIntraOpThreads(1);
    Module model = zoo.create(0);
    Tensor x = zoo.exampleInput(0);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] wall = new double[forwards];
    double[] cpu = new double[forwards];
    try (NoGradGuard guard = new NoGradGuard()) {
      for (int i = 0; i < warmup + forwards; i++) {
        try (PointerScope scope = new PointerScope()) {
          long c0 = threads.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          zoo.forward(model, x);
          long t1 = System.nanoTime();
          long c1 = threads.getCurrentThreadCpuTime();
          if (i >= warmup) {
            wall[i - warmup] = (t1 - t0) / 1e6;
            cpu[i - warmup] = (c1 - c0) / 1e6;
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "IDLE model=%s agent=%s forwards=%d wall_ms=%.3f cpu_ms=%.3f%n",
        zoo,
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(a -> a.startsWith("-javaagent")),
        forwards,
        median(wall),
        median(cpu));
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
