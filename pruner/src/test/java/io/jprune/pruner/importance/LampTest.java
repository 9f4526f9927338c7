package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.ScoreAsserts.ascending;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LAMP: v_i / sum of v_j >= v_i within each parameter dim, then combined over layers. */
class LampTest {

  @Test
  void formulaOnAVector() {
    // ascending 1, 2, 3, 4; suffix sums 10, 9, 7, 4
    assertScores(new double[] {1, 0.1, 3 / 7.0, 2 / 9.0}, Lamp.lamp(new double[] {4, 1, 3, 2}));
    // ties share the denominator: 1/5, 2/4, 2/4
    assertScores(new double[] {0.5, 0.2, 0.5}, Lamp.lamp(new double[] {2, 1, 2}));
    assertScores(new double[] {0, 0, 1}, Lamp.lamp(new double[] {0, 0, 3}));
    assertScores(new double[] {0, 0}, Lamp.lamp(new double[] {0, 0}));
  }

  @Test
  void knownMatrixRowsExactValuesAndOrder() {
    Fixture f = new Fixture(0);
    // row squared norms: 1, 25, 4, 9 -> ascending 1, 4, 9, 25; suffix sums 39, 38, 34, 25
    f.put("fc.weight", new double[] {1, 0, 0, 3, 4, 0, 0, 0, 2, 0, 3, 0}, 4, 3);
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ch.add(List.of(Fixture.out("fc.weight", i)));
    }
    PruningGroup g = Fixture.group(0, ch);
    double[] s = Importances.lamp(2).score(g, f.context());
    assertScores(new double[] {1 / 39.0, 1, 4 / 38.0, 9 / 34.0}, s);
    assertArrayEquals(new int[] {0, 2, 3, 1}, ascending(s));
    // p = 1: row L1 norms 1, 7, 2, 3 -> ascending 1, 2, 3, 7; suffix sums 13, 12, 10, 7
    assertScores(
        new double[] {1 / 13.0, 1, 2 / 12.0, 3 / 10.0}, Importances.lamp(1).score(g, f.context()));
  }

  @Test
  void denominatorSpansTheWholeDimNotJustTheGroup() {
    Fixture f = new Fixture(0);
    f.put("fc.weight", new double[] {1, 0, 0, 3, 4, 0, 0, 0, 2, 0, 3, 0}, 4, 3);
    PruningGroup firstTwo =
        Fixture.group(
            1, List.of(List.of(Fixture.out("fc.weight", 0)), List.of(Fixture.out("fc.weight", 1))));
    assertScores(new double[] {1 / 39.0, 1}, Importances.lamp(2).score(firstTwo, f.context()));
  }

  @Test
  void convBnMeansTheLampScoresOfRowGammaAndColumn() {
    Fixture f = Fixture.convBn(3);
    double[] conv = new double[4];
    double[] bn = new double[4];
    double[] next = new double[4];
    for (int i = 0; i < 4; i++) {
      conv[i] = f.powSum("conv.weight", 0, i, 2);
      bn[i] = f.powSum("bn.weight", 0, i, 2);
      next[i] = f.powSum("next.weight", 1, i, 2);
    }
    double[] lc = Lamp.lamp(conv);
    double[] lb = Lamp.lamp(bn);
    double[] ln = Lamp.lamp(next);
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] = (lc[i] + lb[i] + ln[i]) / 3;
    }
    double[] s = Importances.lamp(2).score(Fixture.convBnGroup(), f.context());
    assertScores(expected, s);
    assertEquals(2, ascending(s)[0]);
    assertScores(
        new double[] {lc[0], lc[1], lc[2], lc[3]},
        Importances.lamp(2, Reduction.FIRST, Normalization.NONE)
            .score(Fixture.convBnGroup(), f.context()));
  }

  @Test
  void groupedColumnsCompeteOverAllConvGroupColumns() {
    Fixture f = Fixture.grouped(4);
    double[] stem = new double[4];
    double[] cols = new double[4]; // entry g * 2 + column, which is channel g * 2 + column
    for (int i = 0; i < 4; i++) {
      stem[i] = f.powSum("stem.weight", 0, i, 2);
      cols[i] = f.powSum("gconv.weight", 1, i % 2, i / 2, 2, 2);
    }
    double[] ls = Lamp.lamp(stem);
    double[] lg = Lamp.lamp(cols);
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] = ls[i] + lg[i];
    }
    assertScores(
        expected,
        Importances.lamp(2, Reduction.SUM, Normalization.NONE)
            .score(Fixture.groupedGroup(), f.context()));
  }

  @Test
  void mlpOutputsOnly() {
    Fixture f = Fixture.mlpLn(5);
    double[] fc1 = new double[6];
    double[] ln = new double[6];
    for (int i = 0; i < 6; i++) {
      fc1[i] = f.powSum("fc1.weight", 0, i, 2);
      ln[i] = f.powSum("ln.weight", 0, i, 2);
    }
    double[] a = Lamp.lamp(fc1);
    double[] b = Lamp.lamp(ln);
    double[] expected = new double[6];
    for (int i = 0; i < 6; i++) {
      expected[i] = Math.max(a[i], b[i]);
    }
    assertScores(
        expected,
        Importances.lamp(2, Reduction.MAX, Normalization.NONE)
            .withSelection(SliceSelection.of(false, SliceRole.OUTPUT))
            .score(Fixture.mlpLnGroup(), f.context()));
  }
}
