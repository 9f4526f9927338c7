package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.ScoreAsserts.argmin;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The squared-gradient accumulator and OBD scores. */
class HessianTest {

  @Test
  void threeSamplesSumExactlyToTheirSquaredGradients() {
    Fixture f = new Fixture(1);
    HessianAccumulator acc = new HessianAccumulator();
    double[][] a = new double[3][];
    double[][] b = new double[3][];
    for (int n = 0; n < 3; n++) {
      a[n] = f.randomValues(2, 3);
      b[n] = f.randomValues(4);
      acc.accumulate(
          Map.of("a", AbstractTensor.create(a[n], 2, 3), "b", AbstractTensor.create(b[n], 4)));
    }
    assertEquals(3, acc.samples());
    double[] ea = new double[6];
    for (int i = 0; i < 6; i++) {
      ea[i] = a[0][i] * a[0][i] + a[1][i] * a[1][i] + a[2][i] * a[2][i];
    }
    double[] eb = new double[4];
    for (int i = 0; i < 4; i++) {
      eb[i] = b[0][i] * b[0][i] + b[1][i] * b[1][i] + b[2][i] * b[2][i];
    }
    Map<String, Tensor> d = acc.diagonal();
    assertArrayEquals(ea, HostVectors.toDoubles(d.get("a")), 0);
    assertArrayEquals(eb, HostVectors.toDoubles(d.get("b")), 0);
    assertEquals(2, d.get("a").dim());
    double[] mean = HostVectors.toDoubles(acc.meanDiagonal().get("a"));
    for (int i = 0; i < 6; i++) {
      assertEquals(ea[i] / 3, mean[i], 1e-15);
    }
    // diagonal() hands out copies: a fourth sample does not change them
    acc.accumulate(Map.of("a", AbstractTensor.create(a[0], 2, 3)));
    assertArrayEquals(ea, HostVectors.toDoubles(d.get("a")), 0);
    assertFalse(ea[0] == HostVectors.toDoubles(acc.diagonal().get("a"))[0]);
  }

  @Test
  void perSampleGradientsFromBackwardAndPointerScopes() {
    Fixture f = new Fixture(2);
    Tensor w = f.random("w", 3);
    w.set_requires_grad(true);
    HessianAccumulator acc = new HessianAccumulator();
    double[] expected = new double[3];
    for (int n = 0; n < 3; n++) {
      double[] x = f.randomValues(3);
      try (PointerScope scope = new PointerScope()) {
        // loss_n = (w . x_n)^2 / 2 -> g = (w . x_n) x_n
        Tensor wx = w.mul(AbstractTensor.create(x, 3)).sum();
        wx.mul(wx).div(new org.bytedeco.pytorch.Scalar(2.0)).backward();
        acc.accumulate(Map.of("w", w.grad()));
        w.mutable_grad().zero_();
      }
      double[] wv = f.values("w");
      double dot = wv[0] * x[0] + wv[1] * x[1] + wv[2] * x[2];
      for (int i = 0; i < 3; i++) {
        expected[i] += dot * x[i] * dot * x[i];
      }
    }
    double[] got = HostVectors.toDoubles(acc.diagonal().get("w"));
    for (int i = 0; i < 3; i++) {
      assertEquals(expected[i], got[i], 1e-12);
    }
  }

  @Test
  void missingParametersAndResets() {
    HessianAccumulator acc = new HessianAccumulator();
    acc.accumulate(Map.of("a", AbstractTensor.create(new double[] {1, 2}, 2)));
    acc.accumulate(Map.of("b", AbstractTensor.create(new double[] {3}, 1)));
    acc.accumulate(Map.of("a", AbstractTensor.create(new double[] {2, 2}, 2)));
    assertArrayEquals(new double[] {5, 8}, HostVectors.toDoubles(acc.diagonal().get("a")), 0);
    assertArrayEquals(new double[] {9}, HostVectors.toDoubles(acc.diagonal().get("b")), 0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> acc.accumulate(Map.of("a", AbstractTensor.create(new double[] {1, 2, 3}, 3))));
    assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("[3]"), e.getMessage());
    acc.reset();
    assertEquals(0, acc.samples());
    assertTrue(acc.diagonal().isEmpty());
    assertThrows(IllegalStateException.class, acc::meanDiagonal);
  }

  private static double obd(
      Fixture f, Map<String, double[]> h, String name, int dim, long i, int group, int groups) {
    double[] w = f.values(name);
    double[] k = h.get(name);
    double[] s = {0};
    f.forEachIn(name, dim, i, group, groups, e -> s[0] += 0.5 * w[e] * w[e] * k[e]);
    return s[0];
  }

  private static ImportanceContext withHessian(
      Fixture f, Map<String, double[]> h, List<String> names) {
    HessianAccumulator acc = new HessianAccumulator();
    // two samples whose squares sum to h: sqrt(h/2) twice
    for (int n = 0; n < 2; n++) {
      Map<String, Tensor> g = new LinkedHashMap<>();
      for (String name : names) {
        double[] k = f.randomValues(f.shape(name));
        for (int i = 0; i < k.length; i++) {
          k[i] = Math.abs(k[i]);
        }
        h.merge(name, square(k), HessianTest::add);
        g.put(name, AbstractTensor.create(k, f.shape(name)));
      }
      acc.accumulate(g);
    }
    return ImportanceContext.builder(f.tensors).hessianDiagonal(acc.diagonal()).build();
  }

  private static double[] square(double[] k) {
    double[] o = new double[k.length];
    for (int i = 0; i < k.length; i++) {
      o[i] = k[i] * k[i];
    }
    return o;
  }

  private static double[] add(double[] a, double[] b) {
    double[] o = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      o[i] = a[i] + b[i];
    }
    return o;
  }

  @Test
  void obdOnConvBn() {
    Fixture f = Fixture.convBn(3);
    Map<String, double[]> h = new LinkedHashMap<>();
    ImportanceContext ctx = withHessian(f, h, List.of("conv.weight", "bn.weight", "next.weight"));
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] =
          obd(f, h, "conv.weight", 0, i, -1, 1)
              + obd(f, h, "bn.weight", 0, i, -1, 1)
              + obd(f, h, "next.weight", 1, i, -1, 1);
    }
    double[] s =
        Importances.hessian(Reduction.SUM, Normalization.NONE).score(Fixture.convBnGroup(), ctx);
    assertScores(expected, s);
    assertEquals(2, argmin(s));
    double[] mean = expected.clone();
    for (int i = 0; i < 4; i++) {
      mean[i] /= 3;
    }
    assertScores(
        Normalization.MEAN.apply(mean), Importances.hessian().score(Fixture.convBnGroup(), ctx));
  }

  @Test
  void obdOnMlpAndGroupedConv() {
    Fixture f = Fixture.mlpLn(4);
    Map<String, double[]> h = new LinkedHashMap<>();
    ImportanceContext ctx = withHessian(f, h, List.of("fc1.weight", "ln.weight", "fc2.weight"));
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] = obd(f, h, "fc1.weight", 0, i, -1, 1);
    }
    assertScores(
        expected,
        Importances.hessian(Reduction.FIRST, Normalization.NONE).score(Fixture.mlpLnGroup(), ctx));

    Fixture g = Fixture.grouped(5);
    Map<String, double[]> hg = new LinkedHashMap<>();
    ImportanceContext cg = withHessian(g, hg, List.of("stem.weight", "gconv.weight"));
    double[] eg = new double[4];
    for (int i = 0; i < 4; i++) {
      eg[i] =
          obd(g, hg, "stem.weight", 0, i, -1, 1) + obd(g, hg, "gconv.weight", 1, i % 2, i / 2, 2);
    }
    assertScores(
        eg,
        Importances.hessian(Reduction.SUM, Normalization.NONE).score(Fixture.groupedGroup(), cg));
  }

  @Test
  void missingHessianNamesTheParameter() {
    Fixture f = Fixture.mlpLn(6);
    Map<String, double[]> h = new LinkedHashMap<>();
    ImportanceContext ctx = withHessian(f, h, List.of("fc1.weight", "fc2.weight"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Importances.hessian().score(Fixture.mlpLnGroup(), ctx));
    assertTrue(e.getMessage().contains("'ln.weight'"), e.getMessage());
    assertTrue(e.getMessage().contains("Hessian"), e.getMessage());
  }
}
