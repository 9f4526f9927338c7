package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.ScoreAsserts.argmin;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Group Lp magnitude on hand-built groups over small tensors, expected values by element loops. */
class GroupMagnitudeTest {

  /** conv+BN+next terms: conv row, BN gamma, next column (biases and running stats excluded). */
  private static double[][] convBnTerms(Fixture f, double p) {
    double[][] t = new double[4][];
    for (int i = 0; i < 4; i++) {
      t[i] =
          new double[] {
            f.powSum("conv.weight", 0, i, p),
            f.powSum("bn.weight", 0, i, p),
            f.powSum("next.weight", 1, i, p)
          };
    }
    return t;
  }

  private static double[] reduce(double[][] terms, Reduction r) {
    double[] out = new double[terms.length];
    for (int i = 0; i < terms.length; i++) {
      double[] t = terms[i];
      switch (r) {
        case SUM -> out[i] = t[0] + t[1] + t[2];
        case MEAN -> out[i] = (t[0] + t[1] + t[2]) / 3;
        case MAX -> out[i] = Math.max(t[0], Math.max(t[1], t[2]));
        case FIRST -> out[i] = t[0];
        case PROD -> out[i] = t[0] * t[1] * t[2];
        default -> throw new AssertionError(r);
      }
    }
    return out;
  }

  @Test
  void l1SumOnConvBnIsTheSumOfAbsoluteWeightsOfRowGammaAndColumn() {
    Fixture f = Fixture.convBn(1);
    double[] s =
        Importances.magnitude(1, Reduction.SUM, Normalization.NONE)
            .score(Fixture.convBnGroup(), f.context());
    assertScores(reduce(convBnTerms(f, 1), Reduction.SUM), s);
    assertEquals(2, argmin(s));
  }

  @Test
  void l2IsTheSumOfSquaresNotTheNorm() {
    Fixture f = Fixture.convBn(2);
    double[] s =
        Importances.magnitude(2, Reduction.SUM, Normalization.NONE)
            .score(Fixture.convBnGroup(), f.context());
    double[] expected = reduce(convBnTerms(f, 2), Reduction.SUM);
    assertScores(expected, s);
    // by hand for channel 0: sum of w^2 over conv.weight[0], bn.weight[0]=0.9, next.weight[:,0]
    double[] w = f.values("conv.weight");
    double[] n = f.values("next.weight");
    double c0 = 0.81;
    for (int k = 0; k < 27; k++) {
      c0 += w[k] * w[k];
    }
    for (int o = 0; o < 5; o++) {
      c0 += n[o * 4] * n[o * 4];
    }
    assertEquals(c0, s[0], 1e-12);
    assertEquals(2, argmin(s));
  }

  @Test
  void fractionalPUsesPow() {
    Fixture f = Fixture.mlpLn(3);
    double[] s =
        Importances.magnitude(1.5, Reduction.SUM, Normalization.NONE)
            .score(Fixture.mlpLnGroup(), f.context());
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] =
          f.powSum("fc1.weight", 0, i, 1.5)
              + f.powSum("ln.weight", 0, i, 1.5)
              + f.powSum("fc2.weight", 1, i, 1.5);
    }
    assertScores(expected, s);
  }

  @ParameterizedTest
  @EnumSource(Reduction.class)
  void everyReductionOnConvBn(Reduction r) {
    Fixture f = Fixture.convBn(4);
    double[] s =
        Importances.magnitude(2, r, Normalization.NONE).score(Fixture.convBnGroup(), f.context());
    assertScores(reduce(convBnTerms(f, 2), r), s);
  }

  @ParameterizedTest
  @EnumSource(Reduction.class)
  void everyReductionOnShuffleSumsRowsOfOneLayerIntoOneTerm(Reduction r) {
    Fixture f = Fixture.shuffle(5);
    double[] s =
        Importances.magnitude(1, r, Normalization.NONE).score(Fixture.shuffleGroup(), f.context());
    double[] expected = new double[2];
    for (int c = 0; c < 2; c++) {
      double rows = 0;
      for (int k = 0; k < 4; k++) {
        rows += f.powSum("ps.weight", 0, 4 * c + k, 1);
      }
      double col = f.powSum("post.weight", 1, c, 1);
      expected[c] =
          switch (r) {
            case SUM -> rows + col;
            case MEAN -> (rows + col) / 2;
            case MAX -> Math.max(rows, col);
            case FIRST -> rows;
            case PROD -> rows * col;
          };
    }
    assertScores(expected, s);
  }

  @ParameterizedTest
  @EnumSource(Normalization.class)
  void everyNormalizationOnMlp(Normalization n) {
    Fixture f = Fixture.mlpLn(6);
    double[] raw =
        Importances.magnitude(2, Reduction.MEAN, Normalization.NONE)
            .score(Fixture.mlpLnGroup(), f.context());
    double[] s =
        Importances.magnitude(2, Reduction.MEAN, n).score(Fixture.mlpLnGroup(), f.context());
    assertScores(n.apply(raw), s);
    assertArrayEquals(
        ScoreAsserts.ascending(raw),
        ScoreAsserts.ascending(s),
        "normalisation keeps the order within a group");
  }

  @Test
  void normalizationFormulas() {
    double[] v = {1, 2, 3, 6};
    assertScores(v, Normalization.NONE.apply(v));
    assertScores(new double[] {1 / 3.0, 2 / 3.0, 1, 2}, Normalization.MEAN.apply(v));
    assertScores(new double[] {1 / 6.0, 2 / 6.0, 3 / 6.0, 1}, Normalization.MAX.apply(v));
    assertScores(new double[] {1 / 12.0, 2 / 12.0, 3 / 12.0, 6 / 12.0}, Normalization.SUM.apply(v));
    double d = 5 + 1e-8;
    assertScores(new double[] {0, 1 / d, 2 / d, 5 / d}, Normalization.STANDARDIZATION.apply(v));
    double std = Math.sqrt((4 + 1 + 0 + 9) / 3.0) + 1e-8;
    assertScores(new double[] {-2 / std, -1 / std, 0, 3 / std}, Normalization.GAUSSIAN.apply(v));
    assertScores(new double[] {1 / 3.0, 2 / 3.0, 1, 2}, Normalization.MEDIAN.apply(v));
    assertScores(
        new double[] {5 / 3.0, 1 / 3.0, 1}, Normalization.MEDIAN.apply(new double[] {5, 1, 3}));
    assertScores(new double[] {0, 0}, Normalization.MEAN.apply(new double[] {0, 0}));
    assertScores(new double[] {0}, Normalization.GAUSSIAN.apply(new double[] {4}));
    assertArrayEquals(new double[] {1, 2, 3, 6}, v, "apply does not change its argument");
  }

  @Test
  void defaultIsTorchPruningsMeanMean() {
    Fixture f = Fixture.convBn(7);
    double[] s = Importances.magnitude(2).score(Fixture.convBnGroup(), f.context());
    assertScores(Normalization.MEAN.apply(reduce(convBnTerms(f, 2), Reduction.MEAN)), s);
    assertEquals(2, argmin(s));
  }

  @Test
  void selectionCanAddBiasesAndState() {
    Fixture f = Fixture.convBn(8);
    GroupMagnitude m = Importances.magnitude(1, Reduction.SUM, Normalization.NONE);
    double[] base = reduce(convBnTerms(f, 1), Reduction.SUM);
    double[] withBias =
        m.withSelection(SliceSelection.DEFAULT.withBiases(true))
            .score(Fixture.convBnGroup(), f.context());
    double[] all =
        m.withSelection(SliceSelection.of(true, SliceRole.OUTPUT, SliceRole.INPUT, SliceRole.STATE))
            .score(Fixture.convBnGroup(), f.context());
    double[] outputsOnly =
        m.withSelection(SliceSelection.of(false, SliceRole.OUTPUT))
            .score(Fixture.convBnGroup(), f.context());
    for (int i = 0; i < 4; i++) {
      double bias = f.powSum("conv.bias", 0, i, 1) + f.powSum("bn.bias", 0, i, 1);
      double state = (10 + 10 * i) + (1 + i);
      assertEquals(base[i] + bias, withBias[i], 1e-12);
      assertEquals(base[i] + bias + state, all[i], 1e-12);
      assertEquals(base[i] - f.powSum("next.weight", 1, i, 1), outputsOnly[i], 1e-12);
    }
  }

  @Test
  void groupedConvColumnsReadOnlyTheirConvGroupsRows() {
    Fixture f = Fixture.grouped(9);
    double[] s =
        Importances.magnitude(2, Reduction.SUM, Normalization.NONE)
            .score(Fixture.groupedGroup(), f.context());
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] =
          f.powSum("stem.weight", 0, i, 2) + f.powSum("gconv.weight", 1, i % 2, i / 2, 2, 2);
    }
    assertScores(expected, s);
    // the same column index in the other conv group is a different sum
    assertTrue(
        Math.abs(f.powSum("gconv.weight", 1, 0, 0, 2, 2) - f.powSum("gconv.weight", 1, 0, 1, 2, 2))
            > 1e-6);
  }

  @Test
  void convGroupsFromTheContextWhenTheGroupSeesOnlySomeConvGroups() {
    Fixture f = Fixture.grouped(10);
    // only the channels of conv group 0 (e.g. the first half of a concat feeding the grouped conv)
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ch.add(
          List.of(
              Fixture.out("stem.weight", i),
              new ParamSlice("gconv.weight", 1, i, SliceRole.INPUT, 0)));
    }
    PruningGroup g = Fixture.group(5, ch);
    ImportanceContext ctx =
        ImportanceContext.builder(f.tensors).convGroups("gconv.weight", 2).build();
    double[] s = Importances.magnitude(1, Reduction.SUM, Normalization.NONE).score(g, ctx);
    for (int i = 0; i < 2; i++) {
      assertEquals(
          f.powSum("stem.weight", 0, i, 1) + f.powSum("gconv.weight", 1, i, 0, 2, 1), s[i], 1e-12);
    }
    // without the hint, one conv group over all 6 rows is assumed
    double[] guessed =
        Importances.magnitude(1, Reduction.SUM, Normalization.NONE).score(g, f.context());
    assertEquals(
        f.powSum("stem.weight", 0, 0, 1) + f.powSum("gconv.weight", 1, 0, 1), guessed[0], 1e-12);
  }

  @Test
  void floatTensorsAndTensorsThatRequireGrad() {
    Fixture f = Fixture.convBn(11);
    java.util.Map<String, Tensor> floats = new java.util.LinkedHashMap<>();
    f.tensors.forEach(
        (k, v) -> floats.put(k, v.to(torch.ScalarType.Float).set_requires_grad(true)));
    double[] s =
        Importances.magnitude(1, Reduction.SUM, Normalization.NONE)
            .score(Fixture.convBnGroup(), new ImportanceContext(floats, null, null));
    double[] expected = reduce(convBnTerms(f, 1), Reduction.SUM);
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], s[i], 1e-5);
    }
    assertTrue(floats.get("conv.weight").requires_grad());
  }

  @Test
  void channelWithoutCountedSlicesScoresZeroAndEmptyGroupsWork() {
    Fixture f = Fixture.convBn(12);
    PruningGroup stateOnly =
        Fixture.group(
            6,
            List.of(
                List.of(Fixture.state("bn.running_mean", 0)),
                List.of(Fixture.state("bn.running_var", 1))));
    assertArrayEquals(new double[] {0, 0}, Importances.magnitude(2).score(stateOnly, f.context()));
    PruningGroup empty = new PruningGroup(7, ImmutableList.of(), ImmutableList.of());
    assertEquals(0, Importances.magnitude(2).score(empty, f.context()).length);
  }

  @Test
  void badSlicesAreNamed() {
    Fixture f = Fixture.convBn(13);
    PruningGroup g = Fixture.group(8, List.of(List.of(Fixture.out("conv.weight", 9))));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Importances.magnitude(2).score(g, f.context()));
    assertTrue(e.getMessage().contains("conv.weight"), e.getMessage());
    PruningGroup missing = Fixture.group(9, List.of(List.of(Fixture.out("nope.weight", 0))));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Importances.magnitude(2).score(missing, f.context()));
    assertTrue(e.getMessage().contains("nope.weight"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Importances.magnitude(0));
    assertTrue(e.getMessage().contains("p"), e.getMessage());
  }

  @Test
  void namesForReports() {
    assertEquals("magnitude(L2, mean, mean)", Importances.magnitude(2).name());
    assertEquals("magnitude(L1, first, none)", Importances.l1Filter().name());
  }
}
