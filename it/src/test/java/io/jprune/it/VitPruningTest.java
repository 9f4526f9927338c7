package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.zoo.ZooModel;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed case: DINO ViT-S whose attention takes q/k/v with {@code select(0, i)} (Torch-Pruning
 * crashes with "index 384 is out of bounds") or {@code unbind(0)}. Head width and whole heads are
 * pruned from the traced reshape, the unmodified forward keeps running through call-site rewrites,
 * and the output equals the masked original's (relative tolerance 1e-5).
 */
class VitPruningTest {
  private static final double REL_TOL = 1e-5;

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void quarterOfEveryHeadDimGoes(ZooModel zoo) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    Removal.Builder removal = Removal.builder();
    for (int b = 0; b < 12; b++) {
      PruningGroup g = pruner.graph().groupOf("blocks." + b + ".attn.qkv");
      assertEquals(768, g.size(), "q/k channels pair up (384) plus v channels (384)");
      assertEquals(6, GroupPlanner.headCount(g));
      long[] idx = GroupPlanner.choose(g, scores(g, b), 0.25, 0, 1);
      assertEquals(
          96 + 96, idx.length, "16 of 64 dims in each of 6 heads, for the q/k pairs and for v");
      removal.put(g.id(), idx);
    }
    EquivalenceReport report = pruner.pruneAndVerify(removal.build());
    Map<String, Tensor> p = ModelTensors.of(model);
    for (int b = 0; b < 12; b++) {
      assertArrayEquals(
          new long[] {864, 384},
          ZooPruning.shape(p.get("blocks." + b + ".attn.qkv.weight")),
          "qkv loses 3 x 96 rows");
      assertArrayEquals(
          new long[] {864}, ZooPruning.shape(p.get("blocks." + b + ".attn.qkv.bias")));
      assertArrayEquals(
          new long[] {384, 288},
          ZooPruning.shape(p.get("blocks." + b + ".attn.proj.weight")),
          "proj loses 96 input columns");
    }
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(REL_TOL), report.toString());
    Tensor again = ZooPruning.run(zoo, model, input);
    assertArrayEquals(new long[] {1, 1000}, ZooPruning.shape(again), "forward runs unmodified");
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void twoOfSixHeadsGo(ZooModel zoo) {
    Module model = zoo.create(ZooPruning.SEED);
    Tensor input = zoo.exampleInput(ZooPruning.SEED);
    Pruner pruner = ZooPruning.pruner(zoo, model, input);
    Removal.Builder removal = Removal.builder();
    for (int b = 0; b < 12; b++) {
      PruningGroup g = pruner.graph().groupOf("blocks." + b + ".attn.qkv");
      long[] idx = GroupPlanner.choose(g, scores(g, b), 0, 2.0 / 6, 1);
      assertEquals(2 * 64 * 2, idx.length, "2 heads x 64 dims x (q/k pair, v)");
      removal.put(g.id(), idx);
    }
    EquivalenceReport report = pruner.pruneAndVerify(removal.build());
    Map<String, Tensor> p = ModelTensors.of(model);
    for (int b = 0; b < 12; b++) {
      assertArrayEquals(
          new long[] {768, 384}, ZooPruning.shape(p.get("blocks." + b + ".attn.qkv.weight")));
      assertArrayEquals(
          new long[] {384, 256}, ZooPruning.shape(p.get("blocks." + b + ".attn.proj.weight")));
    }
    assertTrue(report.agrees(REL_TOL), report.toString());
  }

  @org.junit.jupiter.api.Test
  void selectAndUnbindGiveIdenticalGroups() {
    String[] described = new String[2];
    ZooModel[] variants = {ZooModel.VIT_S_SELECT, ZooModel.VIT_S_UNBIND};
    for (int i = 0; i < 2; i++) {
      Module model = variants[i].create(ZooPruning.SEED);
      Tensor input = variants[i].exampleInput(ZooPruning.SEED);
      described[i] =
          ZooPruning.pruner(variants[i], model, input)
              .graph()
              .describe()
              .replaceAll("at \\S+\\)", "at <site>)");
    }
    assertEquals(described[0], described[1]);
  }

  private static double[] scores(PruningGroup g, int block) {
    Random r = new Random(block);
    double[] s = new double[g.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextDouble();
    }
    return s;
  }
}
