package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Sparse-training regularisers change .grad() in place by the expected amounts. */
class RegularizerTest {
  private static final double TOL = 1e-12;

  /** Gives each tensor the gradient k (random) by backward of sum(t * k); returns the k. */
  private static Map<String, double[]> grads(Fixture f, String... names) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String n : names) {
      Tensor t = f.tensors.get(n);
      double[] k = f.randomValues(f.shape(n));
      t.set_requires_grad(true);
      t.mul(AbstractTensor.create(k, f.shape(n))).sum().backward();
      out.put(n, k);
    }
    return out;
  }

  private static double[] grad(Fixture f, String name) {
    return HostVectors.toDoubles(f.tensors.get(name).grad());
  }

  @Test
  void bnScaleAddsLambdaSignGammaToBatchNormAndLayerNormScales() {
    Fixture f = Fixture.convBn(1);
    Map<String, double[]> k = grads(f, "conv.weight", "bn.weight", "bn.bias", "next.weight");
    BnScaleRegularizer r = new BnScaleRegularizer(0.01);
    List<PruningGroup> groups = List.of(Fixture.convBnGroup());
    assertEquals(0.01 * (0.9 + 0.7 + 0.05 + 1.3), r.penalty(groups, f.context()), TOL);
    r.apply(groups, f.context());
    double[] g = k.get("bn.weight");
    assertArrayEquals(
        new double[] {g[0] + 0.01, g[1] - 0.01, g[2] + 0.01, g[3] + 0.01},
        grad(f, "bn.weight"),
        TOL);
    assertArrayEquals(k.get("conv.weight"), grad(f, "conv.weight"), 0);
    assertArrayEquals(k.get("bn.bias"), grad(f, "bn.bias"), 0);

    Fixture m = Fixture.mlpLn(2);
    Map<String, double[]> km = grads(m, "ln.weight");
    new BnScaleRegularizer(0.5).apply(List.of(Fixture.mlpLnGroup()), m.context());
    double[] ln = m.values("ln.weight");
    double[] e = new double[6];
    for (int i = 0; i < 6; i++) {
      e[i] = km.get("ln.weight")[i] + 0.5 * Math.signum(ln[i]);
    }
    assertArrayEquals(e, grad(m, "ln.weight"), TOL);
    // BatchNorm-only leaves the LayerNorm alone
    new BnScaleRegularizer(0.5).batchNormOnly().apply(List.of(Fixture.mlpLnGroup()), m.context());
    assertArrayEquals(e, grad(m, "ln.weight"), TOL);
  }

  @Test
  void bnScaleTouchesOnlyTheGroupsChannels() {
    Fixture f = Fixture.convBn(3);
    Map<String, double[]> k = grads(f, "bn.weight");
    PruningGroup two =
        Fixture.group(
            9, List.of(List.of(Fixture.out("bn.weight", 1)), List.of(Fixture.out("bn.weight", 3))));
    new BnScaleRegularizer(1).apply(List.of(two), f.context());
    double[] g = k.get("bn.weight");
    assertArrayEquals(new double[] {g[0], g[1] - 1, g[2], g[3] + 1}, grad(f, "bn.weight"), TOL);
  }

  @Test
  void groupLassoOnConvBn() {
    Fixture f = Fixture.convBn(4);
    Map<String, double[]> k = grads(f, "conv.weight", "conv.bias", "bn.weight", "next.weight");
    double lambda = 0.1;
    double[] norm = new double[4];
    for (int i = 0; i < 4; i++) {
      norm[i] =
          Math.sqrt(
              f.powSum("conv.weight", 0, i, 2)
                  + f.powSum("bn.weight", 0, i, 2)
                  + f.powSum("next.weight", 1, i, 2));
    }
    GroupLassoRegularizer r = new GroupLassoRegularizer(lambda);
    List<PruningGroup> groups = List.of(Fixture.convBnGroup());
    assertEquals(
        lambda * (norm[0] + norm[1] + norm[2] + norm[3]), r.penalty(groups, f.context()), TOL);
    r.apply(groups, f.context());
    for (String[] p :
        new String[][] {{"conv.weight", "0"}, {"bn.weight", "0"}, {"next.weight", "1"}}) {
      String name = p[0];
      int dim = Integer.parseInt(p[1]);
      double[] w = f.values(name);
      double[] e = k.get(name).clone();
      for (int i = 0; i < 4; i++) {
        double s = lambda / norm[i];
        f.forEachIn(name, dim, i, x -> e[x] += s * w[x]);
      }
      assertArrayEquals(e, grad(f, name), TOL, name);
    }
    assertArrayEquals(k.get("conv.bias"), grad(f, "conv.bias"), 0, "biases not counted");
  }

  @Test
  void groupLassoOnGroupedConvScalesEachConvGroupsRows() {
    Fixture f = Fixture.grouped(5);
    Map<String, double[]> k = grads(f, "stem.weight", "gconv.weight");
    double lambda = 0.3;
    double[] norm = new double[4];
    for (int i = 0; i < 4; i++) {
      norm[i] =
          Math.sqrt(
              f.powSum("stem.weight", 0, i, 2) + f.powSum("gconv.weight", 1, i % 2, i / 2, 2, 2));
    }
    new GroupLassoRegularizer(lambda).apply(List.of(Fixture.groupedGroup()), f.context());
    double[] w = f.values("gconv.weight");
    double[] e = k.get("gconv.weight").clone();
    for (int i = 0; i < 4; i++) {
      double s = lambda / norm[i];
      f.forEachIn("gconv.weight", 1, i % 2, i / 2, 2, x -> e[x] += s * w[x]);
    }
    assertArrayEquals(e, grad(f, "gconv.weight"), TOL);
    double[] ws = f.values("stem.weight");
    double[] es = k.get("stem.weight").clone();
    for (int i = 0; i < 4; i++) {
      double s = lambda / norm[i];
      f.forEachIn("stem.weight", 0, i, x -> es[x] += s * ws[x]);
    }
    assertArrayEquals(es, grad(f, "stem.weight"), TOL);
  }

  @Test
  void groupLassoAcrossSeveralGroupsAndZeroChannels() {
    Fixture f = Fixture.mlpLn(6);
    double[] fc1 = f.values("fc1.weight").clone();
    for (int c = 0; c < 5; c++) {
      fc1[5 + c] = 0;
    }
    f.put("fc1.weight", fc1, 6, 5);
    double[] ln = f.values("ln.weight").clone();
    f.put("ln.weight", ln, 6);
    double[] fc2 = f.values("fc2.weight").clone();
    for (int o = 0; o < 3; o++) {
      fc2[o * 6 + 1] = 0;
    }
    f.put("fc2.weight", fc2, 3, 6);
    ln[1] = 0;
    f.put("ln.weight", ln, 6);
    Map<String, double[]> k = grads(f, "fc1.weight", "ln.weight", "fc2.weight");
    // the output group of fc2 (its rows) as a second group
    List<List<ParamSlice>> rows =
        List.of(
            List.of(Fixture.out("fc2.weight", 0)),
            List.of(Fixture.out("fc2.weight", 1)),
            List.of(Fixture.out("fc2.weight", 2)));
    PruningGroup out = Fixture.group(2, rows);
    new GroupLassoRegularizer(1).apply(List.of(Fixture.mlpLnGroup(), out), f.context());
    // channel 1 of the hidden group has norm zero: no update on its slices (and no NaN)
    double[] g1 = grad(f, "fc1.weight");
    for (int c = 0; c < 5; c++) {
      assertEquals(k.get("fc1.weight")[5 + c], g1[5 + c], 0);
    }
    // fc2 gets both groups' terms: its column i (hidden channel i) and its row o
    double[] e = k.get("fc2.weight").clone();
    for (int i = 0; i < 6; i++) {
      double n =
          Math.sqrt(
              f.powSum("fc1.weight", 0, i, 2)
                  + f.powSum("ln.weight", 0, i, 2)
                  + f.powSum("fc2.weight", 1, i, 2));
      double s = n > 0 ? 1 / n : 0;
      f.forEachIn("fc2.weight", 1, i, x -> e[x] += s * fc2[x]);
    }
    for (int o = 0; o < 3; o++) {
      double s = 1 / Math.sqrt(f.powSum("fc2.weight", 0, o, 2));
      f.forEachIn("fc2.weight", 0, o, x -> e[x] += s * fc2[x]);
    }
    assertArrayEquals(e, grad(f, "fc2.weight"), TOL);
  }

  @Test
  void missingGradientIsNamed() {
    Fixture f = Fixture.convBn(7);
    grads(f, "conv.weight", "bn.weight");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new GroupLassoRegularizer(0.1).apply(List.of(Fixture.convBnGroup()), f.context()));
    assertTrue(e.getMessage().contains("'next.weight'"), e.getMessage());
    Fixture m = Fixture.mlpLn(8);
    e =
        assertThrows(
            IllegalStateException.class,
            () -> new BnScaleRegularizer(0.1).apply(List.of(Fixture.mlpLnGroup()), m.context()));
    assertTrue(e.getMessage().contains("'ln.weight'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new GroupLassoRegularizer(-1));
  }
}
