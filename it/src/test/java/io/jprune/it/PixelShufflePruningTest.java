package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.ZooModel;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The second seed case: a conv feeding pixel_shuffle(3). Each shuffled channel owns a block of nine
 * conv channels, so removing 4 shuffled channels removes exactly 36 conv3 rows, in aligned blocks
 * of 9 (Torch-Pruning: "IndexError: index 4 is out of bounds").
 */
class PixelShufflePruningTest {

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"ESPCN", "ESPCN_MODULE"})
  void fourShuffledChannelsTakeThirtySixConvChannels(ZooModel zoo) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    PruningGroup g = pruner.graph().groupOf("conv3");
    assertEquals(8, g.size(), "8 shuffled channels");
    long[] channels = {0, 2, 5, 7};
    TreeSet<Long> convRows = new TreeSet<>();
    for (long c : channels) {
      List<ParamSlice> rows = g.channel((int) c).slicesOf("conv3.weight", 0);
      assertEquals(9, rows.size(), "s*s conv channels per shuffled channel");
      for (ParamSlice s : rows) {
        convRows.add(s.index());
      }
      assertEquals(c * 9, rows.get(0).index(), "aligned block");
      assertEquals(c * 9 + 8, rows.get(8).index(), "aligned block");
    }
    assertEquals(36, convRows.size());
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), channels));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {72 - 36, 32, 3, 3}, ZooPruning.shape(p.get("conv3.weight")));
    assertArrayEquals(new long[] {36}, ZooPruning.shape(p.get("conv3.bias")));
    assertArrayEquals(new long[] {1, 4, 3, 3}, ZooPruning.shape(p.get("refine.weight")));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
  }

  @Test
  void pixelUnshuffleGoesTheOtherWay() {
    ZooModel zoo = ZooModel.ESPCN_UNSHUFFLE;
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    PruningGroup g = pruner.graph().groupOf("conv1");
    assertEquals(8, g.size());
    List<ParamSlice> consumer = g.channel(3).slicesOf("conv2.weight", 1);
    assertEquals(4, consumer.size(), "each conv1 channel feeds 2x2 unshuffled channels");
    assertEquals(12, consumer.get(0).index());
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), new long[] {1, 3, 6}));
    assertArrayEquals(
        new long[] {16, 20, 3, 3}, ZooPruning.shape(ModelTensors.of(model).get("conv2.weight")));
    assertTrue(report.agrees(1e-5), report.toString());
  }
}
