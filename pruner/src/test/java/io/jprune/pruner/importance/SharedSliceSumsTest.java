package io.jprune.pruner.importance;

import static io.jprune.pruner.importance.Fixture.in;
import static io.jprune.pruner.importance.Fixture.out;
import static io.jprune.pruner.importance.Fixture.state;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-index sums shared by the groups of one context ({@link ImportanceContext.Builder#groups}):
 * conv2's weight is read along its columns by group 0 and along its rows by group 1, and its
 * elementwise quantity is computed once for both; the scores stay bit for bit those of per-group
 * scoring.
 */
class SharedSliceSumsTest {
  /** conv1 [4,3,3,3] -> bn1 [4] -> conv2 [5,4,3,3] -> conv3 [2,5,1,1]. */
  private static Fixture chain() {
    Fixture f = new Fixture(11);
    f.random("conv1.weight", 4, 3, 3, 3);
    f.random("bn1.weight", 4);
    f.random("bn1.bias", 4);
    f.put("bn1.running_var", new double[] {1, 2, 3, 4}, 4);
    f.random("conv2.weight", 5, 4, 3, 3);
    f.random("conv2.bias", 5);
    f.random("conv3.weight", 2, 5, 1, 1);
    return f;
  }

  private static List<PruningGroup> groups() {
    List<List<ParamSlice>> first = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      first.add(
          List.of(
              out("conv1.weight", i),
              out("bn1.weight", i),
              out("bn1.bias", i),
              state("bn1.running_var", i),
              in("conv2.weight", i)));
    }
    List<List<ParamSlice>> second = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      second.add(List.of(out("conv2.weight", i), out("conv2.bias", i), in("conv3.weight", i)));
    }
    return List.of(Fixture.group(0, first), Fixture.group(1, second));
  }

  /** Gradients and Hessian-diagonal estimates: seeded tensors of each parameter's shape. */
  private static ImportanceContext.Builder withCompanions(Fixture f, ImportanceContext.Builder b) {
    Fixture g = new Fixture(12);
    Map<String, Tensor> grads = new HashMap<>();
    Map<String, Tensor> hessian = new HashMap<>();
    f.tensors.forEach(
        (name, t) -> {
          grads.put(name, g.random("g." + name, f.shape(name)));
          hessian.put(name, g.random("h." + name, f.shape(name)).abs());
        });
    return b.gradients(grads).hessianDiagonal(hessian);
  }

  static Stream<Arguments> criteria() {
    return Stream.of(
        Arguments.of("l1", Importances.magnitude(1)),
        Arguments.of("l2", Importances.magnitude(2)),
        Arguments.of(
            "l2 with biases",
            Importances.magnitude(2).withSelection(SliceSelection.DEFAULT.withBiases(true))),
        Arguments.of("lamp", Importances.lamp(2)),
        Arguments.of("bn scale", Importances.bnScale()),
        Arguments.of("taylor", Importances.taylor()),
        Arguments.of("taylor multivariable", Importances.taylor().multivariable()),
        Arguments.of("hessian", Importances.hessian()),
        Arguments.of("fpgm", Importances.fpgm()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("criteria")
  void sharedSumsScoreBitForBitAsPerGroupSums(String name, Importance criterion) {
    Fixture f = chain();
    List<PruningGroup> groups = groups();
    ImportanceContext plain = withCompanions(f, ImportanceContext.builder(f.tensors)).build();
    ImportanceContext shared =
        withCompanions(f, ImportanceContext.builder(f.tensors).groups(groups)).build();
    for (PruningGroup g : groups) {
      assertArrayEquals(
          criterion.score(g, plain), criterion.score(g, shared), 0.0, "group " + g.id());
    }
    // again, from the filled cache (a criterion must not change the shared vectors)
    for (PruningGroup g : groups) {
      assertArrayEquals(
          criterion.score(g, plain), criterion.score(g, shared), 0.0, "again, group " + g.id());
    }
  }

  @Test
  void aParameterReadByTwoGroupsIsComputedOnceForBoth() {
    Fixture f = chain();
    List<PruningGroup> groups = groups();
    ImportanceContext ctx = ImportanceContext.builder(f.tensors).groups(groups).build();
    List<String> computed = new ArrayList<>();
    Function<String, Tensor> square =
        p -> {
          computed.add(p);
          return ctx.tensor(p).mul(ctx.tensor(p));
        };
    for (PruningGroup g : groups) {
      SliceSums.of(g, ctx, SliceSelection.DEFAULT::accepts).vectors("w^2", square);
    }
    assertEquals(List.of("conv1.weight", "bn1.weight", "conv2.weight", "conv3.weight"), computed);
  }

  @Test
  void withoutAQuantityNameEachGroupComputesItsOwn() {
    Fixture f = chain();
    List<PruningGroup> groups = groups();
    ImportanceContext ctx = ImportanceContext.builder(f.tensors).groups(groups).build();
    List<String> computed = new ArrayList<>();
    for (PruningGroup g : groups) {
      SliceSums.of(g, ctx, SliceSelection.DEFAULT::accepts)
          .vectors(
              p -> {
                computed.add(p);
                return ctx.tensor(p).abs();
              });
    }
    assertEquals(
        List.of("conv1.weight", "bn1.weight", "conv2.weight", "conv2.weight", "conv3.weight"),
        computed);
  }
}
