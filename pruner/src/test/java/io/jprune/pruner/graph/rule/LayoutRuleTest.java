package io.jprune.pruner.graph.rule;

import static io.jprune.pruner.graph.rule.RuleHarness.aAndBRows;
import static io.jprune.pruner.graph.rule.RuleHarness.aRows;
import static io.jprune.pruner.graph.rule.RuleHarness.assertPrunesExactly;
import static io.jprune.pruner.graph.rule.RuleHarness.channels;
import static io.jprune.pruner.graph.rule.RuleHarness.constraints;
import static io.jprune.pruner.graph.rule.RuleHarness.convHead;
import static io.jprune.pruner.graph.rule.RuleHarness.cuts;
import static io.jprune.pruner.graph.rule.RuleHarness.effects;
import static io.jprune.pruner.graph.rule.RuleHarness.group;
import static io.jprune.pruner.graph.rule.RuleHarness.leaders;
import static io.jprune.pruner.graph.rule.RuleHarness.members;
import static io.jprune.pruner.graph.rule.RuleHarness.pair;
import static io.jprune.pruner.graph.rule.RuleHarness.patches;
import static io.jprune.pruner.graph.rule.RuleHarness.site;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.rulenets.ConvOps;
import io.jprune.rulenets.ConvPair;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LayoutRule} and {@link LayoutArgs} on one layout op after conv a ([1, 8, 4, 4]): how the
 * op's copies tie channels into blocks, and which size/position arguments a removal rewrites at the
 * call site (each rewrite then proven by pruning: the pruned model equals the masked original).
 */
class LayoutRuleTest {

  /** pixel_shuffle(2) then a conv: each shuffled channel owns 2 x 2 = 4 consecutive rows of a. */
  @Test
  void pixelShuffleChannelOwnsFourConvRows() {
    Pruner p = convHead(ConvOps.PIXEL_SHUFFLE);
    PruningGroup g = group(p, "a");
    assertEquals(2, g.size());
    assertEquals(aRows(2), members(g));
    assertEquals(List.of(4L, 5L, 6L, 7L), rows(g, 1, "a.weight"));
    assertArrayEquals(new long[] {1}, channels(p, "a", 6));
    assertEquals(
        List.of(
            "a.bias[8] -> [4]",
            "a.weight[8, 3, 1, 1] -> [4, 3, 1, 1]",
            "head.weight[4, 2, 1, 1] -> [4, 1, 1, 1]"),
        cuts(effects(p, "a", 6)));
    assertEquals(List.of(), patches(effects(p, "a", 6)), "the upscale factor stays 2");
    assertPrunesExactly(p, "a", 6);
  }

  /** Read element by element, one conv row is one sub-pixel of every 2x2 block: refused. */
  @Test
  void pixelShuffleRefusesASubPixel() {
    Pruner p = pair(ConvOps.PIXEL_SHUFFLE);
    assertEquals(8, group(p, "a").size());
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "a", 0));
    assertEquals(
        "the removal leaves t3[1, 2, 8, 8] (at torch.pixel_shuffle <site>) without a dense shape:"
            + " blocks such as heads or groups would lose different numbers of channels",
        site(e.getMessage()));
  }

  @Test
  void chunkPartsLoseEqually() {
    Pruner p = convHead(ConvOps.CHUNK);
    PruningGroup g = group(p, "a");
    assertEquals(
        List.of(
            "EQUAL_COUNT over 2 blocks of 4 from Tensor.chunk at <site> [[0, 1, 2, 3], [4, 5, 6, 7]]"),
        constraints(g));
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "a", 0));
    assertEquals(
        "the pruned Tensor.chunk at <site> would not compute the kept part of t3[1, 4, 4, 4]"
            + " (pruned input shapes [1, 7, 4, 4], arguments [2, 1]): the removal breaks this op's"
            + " layout",
        site(e.getMessage()));
    assertEquals(List.of(), patches(effects(p, "a", 1, 6)), "chunk's count stays 2");
    assertPrunesExactly(p, "a", 1, 6);
  }

  @Test
  void splitSizesAreRewritten() {
    Pruner p = convHead(ConvOps.SPLIT_SIZES);
    assertEquals(List.of(), constraints(group(p, "a")), "unequal parts: no block constraint");
    assertEquals(List.of("arg0: [3, 5] -> [2, 5]"), patches(effects(p, "a", 0)));
    assertEquals(List.of("arg0: [3, 5] -> [2, 3]"), patches(effects(p, "a", 1, 4, 7)));
    assertPrunesExactly(p, "a", 1, 4, 7);
  }

  /** narrow(1, 2, 5): head reads channels 2..6; start and length follow the removal. */
  @Test
  void narrowStartAndLengthAreRewritten() {
    Pruner p = pair(ConvOps.NARROW);
    assertEquals(aRows(80), members(group(p, "a")));
    assertEquals(List.of("arg1: 2 -> 1"), patches(effects(p, "a", 0)));
    assertEquals(List.of("arg2: 5 -> 4"), patches(effects(p, "a", 3)));
    assertEquals(List.of(), patches(effects(p, "a", 7)), "past the window: nothing changes");
    assertEquals(List.of("arg1: 2 -> 1", "arg2: 5 -> 4"), patches(effects(p, "a", 0, 3)));
    assertPrunesExactly(p, "a", 0, 3);
  }

  @Test
  void selectIndexFollowsRemovedChannelsBeforeIt() {
    Pruner p = pair(ConvOps.SELECT);
    assertEquals(aRows(16), members(group(p, "a")));
    assertEquals(List.of("arg1: 3 -> 2"), patches(effects(p, "a", 0)));
    assertEquals(List.of("arg1: 3 -> 1"), patches(effects(p, "a", 0, 2, 5)));
    assertPrunesExactly(p, "a", 0, 2, 5);
  }

  /** reshape(1, 2, 4, 16): two blocks of four channels, aligned (no matmul: no whole blocks). */
  @Test
  void reshapeIntoGroupsAlignsBlocksAndRewritesTheShape() {
    Pruner p = pair(ConvOps.RESHAPE_GROUPS);
    assertEquals(
        List.of(
            "ALIGNED over 2 blocks of 4 from Tensor.reshape at <site> [[0, 1, 2, 3], [4, 5, 6, 7]]"),
        constraints(group(p, "a")));
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "a", 1));
    assertEquals(
        "the removal leaves t3[1, 2, 4, 16] (at Tensor.reshape <site>) without a dense shape:"
            + " blocks such as heads or groups would lose different numbers of channels",
        site(e.getMessage()));
    assertEquals(List.of("arg0: [1, 2, 4, 16] -> [1, 2, 3, 16]"), patches(effects(p, "a", 1, 5)));
    assertPrunesExactly(p, "a", 1, 5);
  }

  /** cat along channels: a's and b's channels stay apart, in one group through head's columns. */
  @Test
  void catPlacesEachOperandsChannels() {
    Pruner p = pair(ConvOps.CAT);
    assertEquals(List.of("a.weight"), leaders(p));
    PruningGroup g = group(p, "a");
    assertEquals(16, g.size());
    assertEquals(aAndBRows(256), members(g));
    long bRow2 = channels(p, "b", 2)[0];
    assertEquals(List.of(), rows(g, (int) bRow2, "a.weight"));
    assertEquals(
        java.util.stream.LongStream.range(160, 176).boxed().toList(),
        rows(g, (int) bRow2, "head.weight"),
        "b's channel 2 is channel 10 of the cat: head columns 160..175");
    assertEquals(
        List.of(
            "b.bias[8] -> [7]",
            "b.weight[8, 3, 1, 1] -> [7, 3, 1, 1]",
            "head.weight[5, 256] -> [5, 240]"),
        cuts(effects(p, "b", 2)));
    assertPrunesExactly(p, "b", 2);
  }

  @Test
  void permuteMovesChannelsWithoutArguments() {
    Pruner p = pair(ConvOps.PERMUTE);
    assertEquals(aRows(128), members(group(p, "a")));
    assertEquals(List.of(), patches(effects(p, "a", 0, 4)));
    assertPrunesExactly(p, "a", 0, 4);
  }

  @Test
  void sliceOverPrunedChannelsIsRefusedWhenPlanning() {
    Pruner p = pair(ConvOps.SLICE);
    PlanException e = assertThrows(PlanException.class, () -> effects(p, "a", 0));
    assertEquals(
        "slice at <site> touches pruned channels; use narrow, split or chunk for channel slicing",
        site(e.getMessage()));
  }

  @Test
  void sliceWithUnreadableBoundsIsRefusedWhenGraphing() {
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () -> RuleHarness.pruner(ConvPair.of(ConvOps.SLICE_OPTIONAL), ConvPair.input()));
    assertEquals(
        "unsupported op Tensor.slice at <site>: cannot replay argument LongOptional: of type"
            + " LongOptional",
        site(e.getMessage()));
  }

  /** Indices along {@code dim 0} (rows) or columns of {@code param} in one group channel. */
  private static List<Long> rows(PruningGroup g, int channel, String param) {
    int dim = param.startsWith("head") ? 1 : 0;
    return g.channel(channel).slicesOf(param, dim).stream().map(s -> s.index()).toList();
  }
}
