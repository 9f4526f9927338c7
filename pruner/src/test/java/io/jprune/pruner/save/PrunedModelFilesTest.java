package io.jprune.pruner.save;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.handmade.HandModels;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.surgery.ModelTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save a pruned model, rebuild it from a fresh original in the same JVM, refuse mismatches. */
class PrunedModelFilesTest {
  @TempDir Path dir;

  static Importance seeded(long seed) {
    return (group, ctx) -> {
      Random r = new Random(seed * 31 + group.id());
      double[] s = new double[group.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = r.nextDouble();
      }
      return s;
    };
  }

  static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int d = 0; d < s.length; d++) {
      s[d] = t.size(d);
    }
    return s;
  }

  @Test
  void headNetPrunedInTwoStepsReloadsBitExactlyWithItsCallSiteRewrites() {
    torch.manual_seed(1);
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner =
        Pruner.builder(net)
            .forward(() -> net.forward(x))
            .importance(seeded(3))
            .ratio(0.5)
            .steps(2)
            .build();
    pruner.pruneAll();
    Map<String, Tensor> p = ModelTensors.of(net);
    long kept = p.get("fc.weight").size(0);
    assertTrue(kept < 6 && kept % 2 == 0, "both heads lose as many: " + kept);
    Tensor expected = net.forward(x);
    PruningRecord saved = PrunedModelFiles.save(net, pruner, dir);
    assertEquals(2, saved.changes().size());
    assertFalse(saved.changes().get(0).sitePatches().isEmpty(), "reshapes were rewritten");
    assertEquals(ImmutableLongArray.of(6, 6), saved.originalShapes().get("fc.weight"));

    torch.manual_seed(99); // other weights: load must replace them
    HandModels.HeadNet fresh = new HandModels.HeadNet();
    PruningRecord loaded = PrunedModelFiles.load(fresh, dir);
    assertEquals(saved, loaded);
    assertArrayEquals(new long[] {kept, 6}, shape(ModelTensors.of(fresh).get("fc.weight")));
    assertArrayEquals(new long[] {3, kept}, shape(ModelTensors.of(fresh).get("head.weight")));
    Tensor got = fresh.forward(x);
    assertTrue(torch.equal(expected, got), "reloaded output differs");
  }

  @Test
  void convNetWithBatchNormBuffersRoundTrips() {
    HandModels.ConvNet net = new HandModels.ConvNet();
    Tensor x = HandModels.ConvNet.input();
    net.eval();
    Pruner pruner =
        Pruner.builder(net).forward(() -> net.forward(x)).importance(seeded(5)).ratio(0.5).build();
    pruner.pruneAll();
    Tensor expected = net.forward(x);
    PruningRecord saved = PrunedModelFiles.save(net, pruner.history(), dir);
    assertTrue(saved.buffers().contains("bn.running_mean"), saved.buffers().toString());
    assertEquals(ImmutableLongArray.of(4), saved.prunedShapes().get("bn.running_var"));
    HandModels.ConvNet fresh = new HandModels.ConvNet();
    fresh.eval();
    PrunedModelFiles.load(fresh, dir);
    assertTrue(torch.equal(expected, fresh.forward(x)));
    assertTrue(
        torch.equal(
            ModelTensors.of(net).get("bn.running_mean"),
            ModelTensors.of(fresh).get("bn.running_mean")));
  }

  @Test
  void recordJsonRoundTrips() {
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner =
        Pruner.builder(net).forward(() -> net.forward(x)).importance(seeded(7)).ratio(0.5).build();
    pruner.pruneAll();
    PruningRecord saved = PrunedModelFiles.save(net, pruner, dir);
    assertEquals(saved, PruningRecord.fromJson(saved.toJson()));
    assertTrue(
        saved
            .toJson()
            .startsWith(
                "{\"format\":\"jprune-pruning-record/2\","
                    + "\"modelClass\":\"io.jprune.handmade.HandModels$HeadNet\","
                    + "\"originalShapes\":{\"fc.weight\":[6,6],\"fc.bias\":[6],"),
        saved.toJson());
    assertTrue(saved.toJson().contains("\"site\":\"test.HandModel.forward()V#"), saved.toJson());
  }

  @Test
  void wrongModelClassIsRefused() throws Exception {
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner =
        Pruner.builder(net).forward(() -> net.forward(x)).importance(seeded(1)).ratio(0.5).build();
    pruner.pruneAll();
    PrunedModelFiles.save(net, pruner, dir);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrunedModelFiles.load(new HandModels.MatmulNet(), dir));
    assertEquals(
        "record is for io.jprune.handmade.HandModels$HeadNet, got "
            + "io.jprune.handmade.HandModels$MatmulNet",
        e.getMessage());
  }

  @Test
  void wrongShapesAreRefusedBeforeAnythingChanges() {
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner =
        Pruner.builder(net).forward(() -> net.forward(x)).importance(seeded(1)).ratio(0.5).build();
    pruner.pruneAll();
    PrunedModelFiles.save(net, pruner, dir);
    HandModels.HeadNet wider = new HandModels.HeadNet(4);
    Tensor before = ModelTensors.of(wider).get("fc.weight").clone();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PrunedModelFiles.load(wider, dir));
    assertEquals("parameter fc.weight has shape [8, 6], the record expects [6, 6]", e.getMessage());
    assertTrue(torch.equal(before, ModelTensors.of(wider).get("fc.weight")), "untouched");
  }

  @Test
  void missingOrForeignFilesAreNamed() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrunedModelFiles.load(new HandModels.HeadNet(), dir));
    assertEquals("no record.json in " + dir, e.getMessage());
    Files.writeString(dir.resolve("record.json"), "{\"format\":\"other/2\"}");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrunedModelFiles.load(new HandModels.HeadNet(), dir));
    assertEquals(
        "not a pruning record of format jprune-pruning-record/2 (format: other/2)", e.getMessage());
  }

  @Test
  void savingAModelOfAnotherPrunerIsRefused() {
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner = Pruner.builder(net).forward(() -> net.forward(x)).importance(seeded(1)).build();
    Module other = new HandModels.HeadNet();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PrunedModelFiles.save(other, pruner, dir));
    assertEquals(
        "the pruner prunes io.jprune.handmade.HandModels$HeadNet, not the given "
            + "io.jprune.handmade.HandModels$HeadNet",
        e.getMessage());
  }
}
