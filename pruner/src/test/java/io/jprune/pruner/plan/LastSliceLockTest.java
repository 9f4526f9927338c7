package io.jprune.pruner.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.common.collect.ImmutableList;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parameter dim keeps a slice: the best-scoring channel touching a dim is never removed, also
 * where channels are laid out differently (a channel laid out as the previous one reuses its dims,
 * one laid out otherwise must not).
 */
class LastSliceLockTest {
  private static ParamSlice row(String param, long i) {
    return new ParamSlice(param, 0, i, SliceRole.OUTPUT, -1);
  }

  private static ParamSlice column(String param, long i) {
    return new ParamSlice(param, 1, i, SliceRole.INPUT, -1);
  }

  private static ParamSlice groupedColumn(String param, int convGroup) {
    return new ParamSlice(param, 1, 0, SliceRole.INPUT, convGroup);
  }

  private static PruningGroup group(List<List<ParamSlice>> channels) {
    ImmutableList.Builder<Channel> b = ImmutableList.builder();
    for (int i = 0; i < channels.size(); i++) {
      b.add(new Channel(i, ImmutableList.copyOf(channels.get(i)), null));
    }
    return new PruningGroup(0, b.build(), ImmutableList.of());
  }

  static Stream<Arguments> cases() {
    List<ParamSlice> plain0 = List.of(row("a.weight", 0), column("b.weight", 0));
    List<ParamSlice> plain1 = List.of(row("a.weight", 1), column("b.weight", 1));
    List<ParamSlice> plain3 = List.of(row("a.weight", 3), column("b.weight", 3));
    List<ParamSlice> plain4 = List.of(row("a.weight", 4), column("b.weight", 4));
    return Stream.of(
        Arguments.of(
            "one extra row between equal layouts: its channel stays although lowest",
            List.of(
                plain0,
                plain1,
                List.of(row("a.weight", 2), row("x.weight", 0), column("b.weight", 2)),
                plain3,
                plain4),
            new double[] {5, 4, 1, 3, 2},
            new long[] {1, 3, 4}),
        Arguments.of(
            "the extra row in the last channel",
            List.of(
                plain0,
                plain1,
                plain3,
                List.of(row("a.weight", 4), column("b.weight", 4), row("x.weight", 0))),
            new double[] {5, 4, 3, 1},
            new long[] {1, 2}),
        Arguments.of(
            "the same parameters in another conv group are another dim",
            List.of(
                List.of(row("a.weight", 0), groupedColumn("g.weight", 0)),
                List.of(row("a.weight", 1), groupedColumn("g.weight", 0)),
                List.of(row("a.weight", 2), groupedColumn("g.weight", 1)),
                List.of(row("a.weight", 3), groupedColumn("g.weight", 1))),
            new double[] {1, 2, 3, 4},
            new long[] {0, 2}),
        Arguments.of(
            "equal layouts: only the best channel is locked",
            List.of(plain0, plain1, plain3, plain4),
            new double[] {1, 2, 3, 4},
            new long[] {0, 1, 2}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void theBestChannelOfEveryDimStays(
      String name, List<List<ParamSlice>> channels, double[] scores, long[] removed) {
    assertArrayEquals(removed, GroupPlanner.choose(group(channels), scores, 0.9, 0, 1));
  }
}
