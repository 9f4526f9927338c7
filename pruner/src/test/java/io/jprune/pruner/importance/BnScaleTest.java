package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.ScoreAsserts.argmin;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** |gamma| of norm scales; fallback to magnitude where a group has none. */
class BnScaleTest {

  @Test
  void batchNormGammasInAbsoluteValue() {
    Fixture f = Fixture.convBn(1);
    double[] s = Importances.bnScale().score(Fixture.convBnGroup(), f.context());
    assertScores(new double[] {0.9, 0.7, 0.05, 1.3}, s);
    assertEquals(2, argmin(s));
    assertScores(
        s, Importances.bnScale().batchNormOnly().score(Fixture.convBnGroup(), f.context()));
  }

  @Test
  void layerNormScalesCountByDefaultButNotAsBatchNorm() {
    Fixture f = Fixture.mlpLn(2);
    double[] s = Importances.bnScale().score(Fixture.mlpLnGroup(), f.context());
    assertScores(new double[] {1.1, 0.2, 0.9, 0.01, 0.6, 1.4}, s);
    assertEquals(3, argmin(s));
    // no running_var next to ln.weight: falls back to L1 magnitude (same reduction, normalisation)
    double[] bnOnly =
        Importances.bnScale().batchNormOnly().score(Fixture.mlpLnGroup(), f.context());
    assertScores(
        Importances.magnitude(1, Reduction.SUM, Normalization.NONE)
            .score(Fixture.mlpLnGroup(), f.context()),
        bnOnly);
  }

  @Test
  void gammasOfSeveralNormLayersAreSummedAndNormalised() {
    Fixture f = Fixture.convBn(3);
    f.put("bn2.weight", new double[] {-0.1, 0.2, 0.3, -0.4}, 4);
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ch.add(
          List.of(
              Fixture.out("conv.weight", i),
              Fixture.out("bn.weight", i),
              Fixture.out("bn2.weight", i),
              Fixture.in("next.weight", i)));
    }
    PruningGroup g = Fixture.group(4, ch);
    double[] sum = {1.0, 0.9, 0.35, 1.7};
    assertScores(sum, Importances.bnScale().score(g, f.context()));
    assertScores(
        new double[] {0.5, 0.45, 0.175, 0.85},
        Importances.bnScale(Reduction.MEAN, Normalization.NONE).score(g, f.context()));
    assertScores(
        new double[] {1.0 / 1.7, 0.9 / 1.7, 0.35 / 1.7, 1},
        Importances.bnScale(Reduction.SUM, Normalization.MAX).score(g, f.context()));
  }

  @Test
  void groupsWithoutNormScalesUseTheFallback() {
    Fixture f = Fixture.grouped(4);
    assertScores(
        Importances.magnitude(1, Reduction.SUM, Normalization.NONE)
            .score(Fixture.groupedGroup(), f.context()),
        Importances.bnScale().score(Fixture.groupedGroup(), f.context()));
    BnScale custom = Importances.bnScale().withFallback((g, c) -> new double[] {4, 3, 2, 1});
    assertArrayEquals(new double[] {4, 3, 2, 1}, custom.score(Fixture.groupedGroup(), f.context()));
  }

  @Test
  void aGroupWhereSomeChannelHasNoNormIsScoredWholeByTheFallback() {
    Fixture f = Fixture.convBn(5);
    List<List<ParamSlice>> ch = new ArrayList<>();
    ch.add(List.of(Fixture.out("conv.weight", 0), Fixture.out("bn.weight", 0)));
    ch.add(List.of(Fixture.out("conv.weight", 1))); // e.g. a concat of normed and raw branches
    PruningGroup g = Fixture.group(6, ch);
    assertScores(
        new double[] {f.powSum("conv.weight", 0, 0, 1) + 0.9, f.powSum("conv.weight", 0, 1, 1)},
        Importances.bnScale().score(g, f.context()));
  }
}
