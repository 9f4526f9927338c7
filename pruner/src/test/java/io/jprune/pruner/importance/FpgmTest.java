package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.Fixture.in;
import static io.jprune.pruner.importance.Fixture.out;
import static io.jprune.pruner.importance.ScoreAsserts.argmin;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.group.ParamSlice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FPGM on hand-built groups: distance sums computed by element loops. */
class FpgmTest {

  /** Sum over rows r' of the Lp distance between rows r and r' of {@code name} along dim. */
  private static double distanceSum(Fixture f, String name, int dim, long row, double p) {
    long n = f.shape(name)[dim];
    double[] v = f.values(name);
    double total = 0;
    for (long other = 0; other < n; other++) {
      List<Integer> a = new ArrayList<>();
      List<Integer> b = new ArrayList<>();
      f.forEachIn(name, dim, row, a::add);
      f.forEachIn(name, dim, other, b::add);
      double d = 0;
      for (int k = 0; k < a.size(); k++) {
        d += Math.pow(Math.abs(v[a.get(k)] - v[b.get(k)]), p);
      }
      total += Math.pow(d, 1 / p);
    }
    return total;
  }

  /** fc [5,2] whose rows are the corners of a square and its centre, then next [3,5]. */
  private static Fixture square() {
    Fixture f = new Fixture(1);
    f.put("fc.weight", new double[] {0, 0, 2, 0, 0, 2, 2, 2, 1, 1}, 5, 2);
    f.random("fc.bias", 5);
    f.random("next.weight", 3, 5);
    return f;
  }

  private static io.jprune.pruner.group.PruningGroup squareGroup() {
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ch.add(List.of(out("fc.weight", i), out("fc.bias", i), in("next.weight", i)));
    }
    return Fixture.group(0, ch);
  }

  @Test
  void theCentreOfTheSquareGoesFirstWhereMagnitudeWouldDropTheZeroFilter() {
    Fixture f = square();
    double[] s =
        Importances.fpgm(2, Reduction.SUM, Normalization.NONE).score(squareGroup(), f.context());
    double r2 = Math.sqrt(2);
    double corner = 2 + 2 + 2 * r2 + r2;
    assertScores(new double[] {corner, corner, corner, corner, 4 * r2}, s);
    assertEquals(4, argmin(s), "the filter closest to all others (the geometric median)");
    double[] l2 =
        Importances.magnitude(2, Reduction.FIRST, Normalization.NONE)
            .score(squareGroup(), f.context());
    assertEquals(0, argmin(l2), "magnitude drops the zero filter instead");
  }

  @Test
  void l1DistancesAndTheDefaultMeanNormalisation() {
    Fixture f = square();
    double[] s =
        Importances.fpgm(1, Reduction.SUM, Normalization.NONE).score(squareGroup(), f.context());
    assertScores(new double[] {2 + 2 + 4 + 2, 10, 10, 10, 8}, s);
    double[] byDefault = Importances.fpgm().score(squareGroup(), f.context());
    double r2 = Math.sqrt(2);
    double corner = 4 + 3 * r2;
    double mean = (4 * corner + 4 * r2) / 5;
    assertScores(
        new double[] {corner / mean, corner / mean, corner / mean, corner / mean, 4 * r2 / mean},
        byDefault);
  }

  @Test
  void convFiltersAreFlattenedAndEveryProducerCountsButNotConsumersOrNorms() {
    Fixture f = Fixture.convBn(3);
    double[] s =
        Importances.fpgm(2, Reduction.SUM, Normalization.NONE)
            .score(Fixture.convBnGroup(), f.context());
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] = distanceSum(f, "conv.weight", 0, i, 2);
    }
    assertScores(expected, s);
  }

  @Test
  void aChannelOwningSeveralRowsSumsTheirDistanceSums() {
    Fixture f = Fixture.shuffle(4);
    double[] s =
        Importances.fpgm(2, Reduction.MEAN, Normalization.NONE)
            .score(Fixture.shuffleGroup(), f.context());
    for (int c = 0; c < 2; c++) {
      double rows = 0;
      for (int r = 0; r < 4; r++) {
        rows += distanceSum(f, "ps.weight", 0, 4L * c + r, 2);
      }
      assertEquals(rows, s[c], 1e-12 * rows, "channel " + c);
    }
  }

  @Test
  void linearWeightsAcrossTwoProducersAreReduced() {
    Fixture f = Fixture.mlpLn(5);
    double[] s =
        Importances.fpgm(2, Reduction.MAX, Normalization.NONE)
            .score(Fixture.mlpLnGroup(), f.context());
    for (int i = 0; i < 6; i++) {
      // fc1 is the only producer with two dims; ln.weight (1-D) and fc2 (consumer) do not count
      assertEquals(distanceSum(f, "fc1.weight", 0, i, 2), s[i], 1e-12, "channel " + i);
    }
  }

  @Test
  void aGroupOfNormsOnlyScoresZeroAndBadPIsRefused() {
    Fixture f = new Fixture(6);
    f.random("bn.weight", 3);
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ch.add(List.of(out("bn.weight", i)));
    }
    assertScores(
        new double[] {0, 0, 0}, Importances.fpgm().score(Fixture.group(9, ch), f.context()));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Importances.fpgm(0, Reduction.SUM, Normalization.NONE));
    assertEquals("distance degree p must be positive, got 0.0", e.getMessage());
  }
}
