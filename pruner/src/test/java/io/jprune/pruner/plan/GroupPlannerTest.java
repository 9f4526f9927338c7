package io.jprune.pruner.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing channels under constraints, on hand-built groups. */
class GroupPlannerTest {

  private static PruningGroup group(int size, GroupConstraint... constraints) {
    ImmutableList.Builder<Channel> channels = ImmutableList.builder();
    for (int i = 0; i < size; i++) {
      channels.add(
          new Channel(
              i, ImmutableList.of(new ParamSlice("l.weight", 0, i, SliceRole.OUTPUT, -1)), null));
    }
    return new PruningGroup(0, channels.build(), ImmutableList.copyOf(constraints));
  }

  /** (branch, head) blocks of {@code dim} positions over channels numbered in order. */
  private static GroupConstraint heads(int branches, int heads, int dim) {
    List<ImmutableIntArray> blocks = new ArrayList<>();
    List<ImmutableLongArray> coords = new ArrayList<>();
    for (int b = 0; b < branches; b++) {
      for (int h = 0; h < heads; h++) {
        int[] idx = new int[dim];
        for (int d = 0; d < dim; d++) {
          idx[d] = (b * heads + h) * dim + d;
        }
        blocks.add(ImmutableIntArray.copyOf(idx));
        coords.add(ImmutableLongArray.of(b, h));
      }
    }
    return new GroupConstraint(
        "reshape at test",
        BlockSpec.Kind.ALIGNED,
        true,
        ImmutableList.copyOf(blocks),
        ImmutableList.copyOf(coords));
  }

  @Test
  void lowestScoresGoWithoutConstraints() {
    double[] s = {5, 1, 4, 0, 3, 2};
    assertArrayEquals(new long[] {1, 3, 5}, GroupPlanner.choose(group(6), s, 0.5, 0, 1));
  }

  @Test
  void roundToKeepsMultiples() {
    double[] s = new double[20];
    for (int i = 0; i < s.length; i++) {
      s[i] = i;
    }
    // keep round(20 * 0.7) = 14 -> rounded to 16 (multiple of 8)
    assertEquals(4, GroupPlanner.choose(group(20), s, 0.3, 0, 8).length);
  }

  @Test
  void alignedPositionsGoInEveryBlock() {
    PruningGroup g = group(2 * 3 * 4, heads(2, 3, 4));
    double[] s = new double[24];
    for (int i = 0; i < 24; i++) {
      s[i] = i % 4 == 2 ? 0 : 10 + i; // position 2 is weakest everywhere
    }
    assertArrayEquals(new long[] {2, 6, 10, 14, 18, 22}, GroupPlanner.choose(g, s, 0.25, 0, 1));
  }

  @Test
  void wholeHeadsGoAcrossBranches() {
    PruningGroup g = group(2 * 3 * 4, heads(2, 3, 4));
    double[] s = new double[24];
    for (int i = 0; i < 24; i++) {
      s[i] = (i / 4) % 3 == 1 ? 0 : 1; // head 1 weakest in both branches
    }
    assertEquals(3, GroupPlanner.headCount(g));
    assertArrayEquals(
        new long[] {4, 5, 6, 7, 16, 17, 18, 19}, GroupPlanner.choose(g, s, 0, 1.0 / 3, 1));
  }

  @Test
  void unitsCountAlignedPositionsOnce() {
    // 2 branches x 3 heads x 4 positions: position d of every block is one unit
    PruningGroup g = group(2 * 3 * 4, heads(2, 3, 4));
    assertEquals(4, GroupPlanner.unitCount(g));
    assertEquals(ChannelUnits.of(g).count(), GroupPlanner.unitCount(g));
    assertEquals(7, GroupPlanner.unitCount(group(7)));
    assertEquals(ChannelUnits.of(group(7)).count(), GroupPlanner.unitCount(group(7)));
  }

  @Test
  void equalCountBlocksLoseAsMany() {
    GroupConstraint chunks =
        new GroupConstraint(
            "chunk at test",
            BlockSpec.Kind.EQUAL_COUNT,
            false,
            ImmutableList.of(ImmutableIntArray.of(0, 1, 2, 3), ImmutableIntArray.of(4, 5, 6, 7)),
            ImmutableList.of(ImmutableLongArray.of(0), ImmutableLongArray.of(1)));
    double[] s = {0, 0.1, 0.2, 0.3, 9, 8, 7, 6};
    assertArrayEquals(new long[] {0, 1, 6, 7}, GroupPlanner.choose(group(8, chunks), s, 0.5, 0, 1));
  }
}
