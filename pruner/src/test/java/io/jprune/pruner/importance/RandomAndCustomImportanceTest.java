package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The random baseline is deterministic; any lambda is a criterion. */
class RandomAndCustomImportanceTest {

  @Test
  void randomIsDeterministicPerSeedAndGroup() {
    Fixture f = Fixture.convBn(1);
    PruningGroup a = Fixture.convBnGroup();
    double[] s1 = Importances.random(42).score(a, f.context());
    double[] s2 = Importances.random(42).score(a, f.context());
    assertArrayEquals(s1, s2, 0);
    assertEquals(4, s1.length);
    assertTrue(Arrays.stream(s1).allMatch(v -> v >= 0 && v < 1));
    assertFalse(Arrays.equals(s1, Importances.random(43).score(a, f.context())));
    Fixture m = Fixture.mlpLn(2);
    double[] other = Importances.random(42).score(Fixture.mlpLnGroup(), m.context());
    assertEquals(6, other.length);
    assertFalse(Arrays.equals(Arrays.copyOf(other, 4), s1), "groups get different sequences");
    assertEquals("random(seed=42)", Importances.random(42).name());
  }

  @Test
  void aLambdaCriterionPlugsIn() {
    // "prefer the channels whose producer row sums highest", written by a user in two lines
    Importance rowSum =
        (group, ctx) ->
            group.channels().stream()
                .mapToDouble(
                    c -> {
                      ParamSlice s = c.outputs().get(0);
                      return ctx.tensor(s.param()).select(s.dim(), s.index()).sum().item_double();
                    })
                .toArray();
    Fixture f = Fixture.convBn(3);
    double[] s = rowSum.score(Fixture.convBnGroup(), f.context());
    double[] w = f.values("conv.weight");
    for (int i = 0; i < 4; i++) {
      double e = 0;
      for (int k = 0; k < 27; k++) {
        e += w[i * 27 + k];
      }
      assertEquals(e, s[i], 1e-12);
    }
    assertTrue(rowSum.name().contains("Lambda"), rowSum.name());
    Fixture m = Fixture.mlpLn(4);
    assertEquals(6, rowSum.score(Fixture.mlpLnGroup(), m.context()).length);
  }

  @Test
  void customCriteriaCanBuildOnBuiltInOnes() {
    Importance product =
        new Importance() {
          @Override
          public double[] score(PruningGroup group, ImportanceContext ctx) {
            double[] a =
                Importances.magnitude(1, Reduction.SUM, Normalization.NONE).score(group, ctx);
            double[] b = Importances.bnScale().score(group, ctx);
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) {
              out[i] = a[i] * b[i];
            }
            return Normalization.MAX.apply(out);
          }

          @Override
          public String name() {
            return "l1 x gamma";
          }
        };
    Fixture f = Fixture.convBn(5);
    double[] s = product.score(Fixture.convBnGroup(), f.context());
    assertEquals(1.0, Arrays.stream(s).max().getAsDouble(), 1e-15);
    assertEquals(2, ScoreAsserts.argmin(s));
    assertEquals("l1 x gamma", product.name());
    List<Channel> channels = Fixture.convBnGroup().channels();
    assertEquals(4, channels.size());
  }
}
