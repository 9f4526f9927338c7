package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jprune --classpath CP --class UserNet --factory create --input 2,12 --weights CKPT} on a
 * package-private model class of the unnamed package with a private constructor: pruned from the
 * user's checkpoint, saved, and reloaded into a fresh instance.
 */
class UserClassCommandTest {
  @TempDir Path dir;

  private static Module newUserNet() throws Exception {
    Method create = Class.forName("UserNet").getDeclaredMethod("create");
    create.setAccessible(true);
    return (Module) create.invoke(null);
  }

  @Test
  void prunesADefaultPackageClassFromItsCheckpointAndTheResultReloads() throws Exception {
    Libtorch.load();
    torch.manual_seed(21);
    Module trained = newUserNet();
    Path ckpt = dir.resolve("user.pt");
    OutputArchive archive = new OutputArchive();
    trained.save(archive);
    archive.save_to(ckpt.toString());
    StringTensorDict trainedParams = trained.named_parameters(); // owns the items' tensors
    Tensor fc1 = new Tensor(trainedParams.get(0).value()).detach().clone();

    Path out = dir.resolve("pruned");
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    CommandLine cl = JpruneCommand.commandLine();
    cl.setOut(new PrintWriter(stdout, true));
    cl.setErr(new PrintWriter(stderr, true));
    int exit =
        cl.execute(
            "--classpath",
            Path.of("target", "test-classes").toString(),
            "--class",
            "UserNet",
            "--factory",
            "create",
            "--input",
            "2,12",
            "--weights",
            ckpt.toString(),
            "--ratio",
            "0.5",
            "--ignore",
            "head",
            "--runs",
            "0",
            "--threads",
            "1",
            "--output",
            out.toString());
    assertEquals(0, exit, stdout + "\n" + stderr);
    assertTrue(stdout.toString().contains("UserNet, l2 importance, ratio 0.5"), stdout.toString());
    assertTrue(
        stdout
            .toString()
            .contains(
                "verify step 1: proven: all 12 removed channels: the "
                    + "pruned output equals the masked original"),
        stdout.toString());

    PruningRecord record = PrunedModelFiles.readRecord(out);
    assertEquals("UserNet", record.modelClass());
    assertEquals(ImmutableLongArray.of(8, 12), record.prunedShapes().get("fc1.weight"));
    assertEquals(ImmutableLongArray.of(4, 8), record.prunedShapes().get("fc2.weight"));
    assertEquals(ImmutableLongArray.of(3, 4), record.prunedShapes().get("head.weight"));

    Module reloaded = newUserNet();
    PrunedModelFiles.load(reloaded, out);
    // the pruned fc1 holds the checkpoint's rows (not a fresh init) at the kept indices
    ParamCut cut =
        record.changes().get(0).cuts().stream()
            .filter(c -> c.param().equals("fc1.weight"))
            .findFirst()
            .orElseThrow();
    long[] removed = cut.removed().get(0).toArray();
    StringTensorDict reloadedParams = reloaded.named_parameters();
    Tensor kept = new Tensor(reloadedParams.get(0).value());
    int row = 0;
    for (long r = 0; r < 16; r++) {
      if (java.util.Arrays.binarySearch(removed, r) < 0) {
        assertTrue(kept.select(0, row++).equal(fc1.select(0, r)), "fc1 row " + r);
      }
    }
    assertEquals(8, row);
    Method forward = reloaded.getClass().getDeclaredMethod("forward", Tensor.class);
    forward.setAccessible(true);
    Tensor y = (Tensor) forward.invoke(reloaded, torch.randn(2, 12));
    assertEquals(3, y.size(1));
  }
}
