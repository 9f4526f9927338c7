package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.ScoreAsserts.argmin;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** First-order Taylor with gradients from a real backward pass and from hand-made maps. */
class TaylorTest {

  /** Gives every tensor of the fixture the gradient {@code k} by backward of sum(t * k). */
  private static Map<String, double[]> backward(Fixture f, String... names) {
    Map<String, double[]> grads = new LinkedHashMap<>();
    for (String n : names) {
      Tensor t = f.tensors.get(n);
      double[] k = f.randomValues(f.shape(n));
      t.set_requires_grad(true);
      t.mul(AbstractTensor.create(k, f.shape(n))).sum().backward();
      grads.put(n, k);
    }
    return grads;
  }

  private static Map<String, Tensor> liveGrads(Fixture f, Iterable<String> names) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, f.tensors.get(n).grad());
    }
    return out;
  }

  /** Sum over the slice of |w * g| (or |sum w * g| when multivariable). */
  private static double term(
      Fixture f,
      Map<String, double[]> g,
      String name,
      int dim,
      long i,
      int group,
      int groups,
      boolean multivariable) {
    double[] w = f.values(name);
    double[] k = g.get(name);
    double[] s = {0};
    f.forEachIn(
        name,
        dim,
        i,
        group,
        groups,
        e -> s[0] += multivariable ? w[e] * k[e] : Math.abs(w[e] * k[e]));
    return multivariable ? Math.abs(s[0]) : s[0];
  }

  @Test
  void convBnWithGradientsFromBackward() {
    Fixture f = Fixture.convBn(1);
    Map<String, double[]> g =
        backward(f, "conv.weight", "conv.bias", "bn.weight", "bn.bias", "next.weight");
    ImportanceContext ctx =
        ImportanceContext.builder(f.tensors).gradients(liveGrads(f, g.keySet())).build();
    double[] expected = new double[4];
    double[] multi = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] =
          term(f, g, "conv.weight", 0, i, -1, 1, false)
              + term(f, g, "bn.weight", 0, i, -1, 1, false)
              + term(f, g, "next.weight", 1, i, -1, 1, false);
      multi[i] =
          term(f, g, "conv.weight", 0, i, -1, 1, true)
              + term(f, g, "bn.weight", 0, i, -1, 1, true)
              + term(f, g, "next.weight", 1, i, -1, 1, true);
    }
    double[] s =
        Importances.taylor(Reduction.SUM, Normalization.NONE).score(Fixture.convBnGroup(), ctx);
    assertScores(expected, s);
    assertEquals(2, argmin(s));
    assertScores(
        multi,
        Importances.taylor(Reduction.SUM, Normalization.NONE)
            .multivariable()
            .score(Fixture.convBnGroup(), ctx));
    double[] mean = new double[4];
    for (int i = 0; i < 4; i++) {
      mean[i] = expected[i] / 3;
    }
    assertScores(
        Normalization.MEAN.apply(mean), Importances.taylor().score(Fixture.convBnGroup(), ctx));
  }

  @Test
  void mlpWithHandMadeGradients() {
    Fixture f = Fixture.mlpLn(2);
    Map<String, double[]> g = new LinkedHashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String n : new String[] {"fc1.weight", "ln.weight", "fc2.weight"}) {
      double[] k = f.randomValues(f.shape(n));
      g.put(n, k);
      grads.put(n, AbstractTensor.create(k, f.shape(n)));
    }
    // gradient zero on channel 4's producer and consumer: no first-order effect on the loss
    double[] fc1 = g.get("fc1.weight");
    for (int c = 0; c < 5; c++) {
      fc1[4 * 5 + c] = 0;
    }
    grads.put("fc1.weight", AbstractTensor.create(fc1, 6, 5));
    double[] fc2 = g.get("fc2.weight");
    for (int o = 0; o < 3; o++) {
      fc2[o * 6 + 4] = 0;
    }
    grads.put("fc2.weight", AbstractTensor.create(fc2, 3, 6));
    double[] ln = g.get("ln.weight");
    ln[4] = 0;
    grads.put("ln.weight", AbstractTensor.create(ln, 6));
    ImportanceContext ctx = new ImportanceContext(f.tensors, grads, null);
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] =
          Math.max(
              term(f, g, "fc1.weight", 0, i, -1, 1, false),
              Math.max(
                  term(f, g, "ln.weight", 0, i, -1, 1, false),
                  term(f, g, "fc2.weight", 1, i, -1, 1, false)));
    }
    double[] s =
        Importances.taylor(Reduction.MAX, Normalization.NONE).score(Fixture.mlpLnGroup(), ctx);
    assertScores(expected, s);
    assertEquals(0, s[4]);
    assertEquals(4, argmin(s));
  }

  @Test
  void groupedConvColumns() {
    Fixture f = Fixture.grouped(3);
    Map<String, double[]> g = backward(f, "stem.weight", "gconv.weight");
    ImportanceContext ctx =
        ImportanceContext.builder(f.tensors).gradients(liveGrads(f, g.keySet())).build();
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] =
          term(f, g, "stem.weight", 0, i, -1, 1, false)
              + term(f, g, "gconv.weight", 1, i % 2, i / 2, 2, false);
    }
    assertScores(
        expected,
        Importances.taylor(Reduction.SUM, Normalization.NONE).score(Fixture.groupedGroup(), ctx));
  }

  @Test
  void missingGradientNamesTheParameter() {
    Fixture f = Fixture.convBn(4);
    Map<String, double[]> g = backward(f, "conv.weight", "bn.weight");
    ImportanceContext ctx =
        ImportanceContext.builder(f.tensors).gradients(liveGrads(f, g.keySet())).build();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Importances.taylor().score(Fixture.convBnGroup(), ctx));
    assertTrue(e.getMessage().contains("'next.weight'"), e.getMessage());
    assertTrue(e.getMessage().contains("gradient"), e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () -> Importances.taylor().score(Fixture.convBnGroup(), f.context()));
    assertTrue(e.getMessage().contains("'conv.weight'"), e.getMessage());
  }

  @Test
  void staleGradientShapeIsRefused() {
    Fixture f = Fixture.mlpLn(5);
    Map<String, Tensor> grads = new LinkedHashMap<>();
    grads.put("fc1.weight", AbstractTensor.create(new double[35], 7, 5));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                Importances.taylor()
                    .score(Fixture.mlpLnGroup(), new ImportanceContext(f.tensors, grads, null)));
    assertTrue(
        e.getMessage().contains("fc1.weight") && e.getMessage().contains("[7, 5]"), e.getMessage());
  }
}
