package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.Fixture.in;
import static io.jprune.pruner.importance.Fixture.out;
import static io.jprune.pruner.importance.Fixture.state;
import static io.jprune.pruner.importance.ScoreAsserts.assertScores;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Channels of one group laid out differently: consecutive channels whose slices differ only in
 * index share a layout (keys and terms looked up once), and a channel laid out otherwise, or back
 * to an earlier layout, must get its own terms. Expected values by element loops.
 */
class ChannelLayoutTest {
  /** conv [6,3,3,3] -> conv2 [5,6,3,3]; an extra producer [2,4] and a norm [6]. */
  private static Fixture fixture() {
    Fixture f = new Fixture(21);
    f.random("conv.weight", 6, 3, 3, 3);
    f.random("conv2.weight", 5, 6, 3, 3);
    f.random("extra.weight", 2, 4);
    f.random("norm.weight", 6);
    return f;
  }

  private static final List<List<ParamSlice>> CHANNELS =
      List.of(
          List.of(out("conv.weight", 0), state("norm.weight", 0), in("conv2.weight", 0)),
          List.of(out("conv.weight", 1), state("norm.weight", 1), in("conv2.weight", 1)),
          // the same parameters and dims, but the norm entry counts (OUTPUT, not STATE)
          List.of(out("conv.weight", 5), out("norm.weight", 5), in("conv2.weight", 5)),
          // an extra producer row: three terms, the extra one second
          List.of(out("conv.weight", 2), out("extra.weight", 0), in("conv2.weight", 2)),
          // back to the first layout
          List.of(out("conv.weight", 3), state("norm.weight", 3), in("conv2.weight", 3)),
          // consumer first: the first OUTPUT term is the second term
          List.of(in("conv2.weight", 4), out("conv.weight", 4)),
          // two rows of the extra producer in one run, then a column: two terms
          List.of(
              out("extra.weight", 1),
              new ParamSlice("extra.weight", 0, 0, SliceRole.OUTPUT, -1),
              in("conv2.weight", 5)),
          // only state: no counted slice, scores 0
          List.of(state("norm.weight", 5)));

  /** Per channel, its terms in first-seen order and the term of its first OUTPUT slice. */
  private static double[] expected(Fixture f, Reduction r) {
    double[][] terms = {
      {f.powSum("conv.weight", 0, 0, 2), f.powSum("conv2.weight", 1, 0, 2)},
      {f.powSum("conv.weight", 0, 1, 2), f.powSum("conv2.weight", 1, 1, 2)},
      {
        f.powSum("conv.weight", 0, 5, 2),
        f.powSum("norm.weight", 0, 5, 2),
        f.powSum("conv2.weight", 1, 5, 2)
      },
      {
        f.powSum("conv.weight", 0, 2, 2),
        f.powSum("extra.weight", 0, 0, 2),
        f.powSum("conv2.weight", 1, 2, 2)
      },
      {f.powSum("conv.weight", 0, 3, 2), f.powSum("conv2.weight", 1, 3, 2)},
      {f.powSum("conv2.weight", 1, 4, 2), f.powSum("conv.weight", 0, 4, 2)},
      {
        f.powSum("extra.weight", 0, 1, 2) + f.powSum("extra.weight", 0, 0, 2),
        f.powSum("conv2.weight", 1, 5, 2)
      },
      {}
    };
    int[] first = {0, 0, 0, 0, 0, 1, 0, -1};
    double[] out = new double[terms.length];
    for (int c = 0; c < terms.length; c++) {
      out[c] = r.reduce(terms[c], first[c]);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Reduction.class)
  void everyChannelGetsTheTermsOfItsOwnLayout(Reduction r) {
    Fixture f = fixture();
    PruningGroup group = Fixture.group(0, CHANNELS);
    double[] s = Importances.magnitude(2, r, Normalization.NONE).score(group, f.context());
    assertScores(expected(f, r), s);
  }

  @ParameterizedTest
  @EnumSource(Reduction.class)
  void sharedSumsGiveTheSameTerms(Reduction r) {
    Fixture f = fixture();
    PruningGroup group = Fixture.group(0, CHANNELS);
    ImportanceContext ctx = ImportanceContext.builder(f.tensors).groups(List.of(group)).build();
    double[] s = Importances.magnitude(2, r, Normalization.NONE).score(group, ctx);
    assertScores(expected(f, r), s);
  }
}
