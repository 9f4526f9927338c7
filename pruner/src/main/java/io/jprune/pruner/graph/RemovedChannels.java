package io.jprune.pruner.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The channels a removal takes, gathered from its groups: the parameter slices they own, the
 * producing slices the masked original zeroes, and why pruned and masked outputs may differ.
 *
 * @param removal group id -> removed channel indices, sorted
 * @param slices every slice of every removed channel, in channel order (a slice bound by several
 *     channels' calls may repeat)
 * @param zeroed the producing (output) slices of the removed channels
 * @param inexactReasons the removed channels' reasons to be inexact
 */
record RemovedChannels(
    ImmutableMap<Integer, ImmutableLongArray> removal,
    ImmutableList<ParamSlice> slices,
    ImmutableList<ParamSlice> zeroed,
    ImmutableSet<String> inexactReasons) {

  /**
   * Gathers the removed channels of each group, in group order.
   *
   * @throws PlanException when a group would lose a whole block its constraints keep
   */
  static RemovedChannels of(DependencyGraph graph, Map<Integer, long[]> removal) {
    List<ParamSlice> slices = new ArrayList<>();
    List<ParamSlice> zeroed = new ArrayList<>();
    Set<String> reasons = new LinkedHashSet<>();
    Map<Integer, ImmutableLongArray> sortedRemoval = new TreeMap<>();
    for (Map.Entry<Integer, long[]> e : removal.entrySet()) {
      PruningGroup g = graph.group(e.getKey());
      BitSet sorted = new BitSet(g.size());
      for (long idx : e.getValue()) {
        Channel c = g.channel((int) idx);
        sorted.set((int) idx);
        for (ParamSlice s : c.slices()) {
          slices.add(s);
          if (s.role() == SliceRole.OUTPUT) {
            zeroed.add(s); // Channel.outputs(), without a stream per channel
          }
        }
        if (c.inexactReason() != null) {
          reasons.add(c.inexactReason());
        }
      }
      sortedRemoval.put(
          e.getKey(), ImmutableLongArray.copyOf(sorted.stream().asLongStream().toArray()));
      checkWholeBlocks(g, sorted);
    }
    return new RemovedChannels(
        ImmutableMap.copyOf(sortedRemoval),
        ImmutableList.copyOf(slices),
        ImmutableList.copyOf(zeroed),
        ImmutableSet.copyOf(reasons));
  }

  /**
   * A view whose blocks may not go whole (a channel shuffle's groups: the model computes the group
   * count itself, e.g. {@code view(b, 2, c / 2, h, w)}, so a rewritten constant would not match)
   * must keep something of every block.
   */
  private static void checkWholeBlocks(PruningGroup g, BitSet removed) {
    for (GroupConstraint c : g.constraints()) {
      if (c.wholeBlocksAllowed()) {
        continue;
      }
      for (int b = 0; b < c.blocks().size(); b++) {
        boolean all = c.blocks().get(b).length() > 0;
        for (int p = 0; p < c.blocks().get(b).length() && all; p++) {
          int ch = c.blocks().get(b).get(p);
          all = ch >= 0 && removed.get(ch);
        }
        if (all) {
          throw new PlanException(
              "the removal would take all of block "
                  + b
                  + " of "
                  + c
                  + ", whose blocks cannot go whole: keep at least one channel in each");
        }
      }
    }
  }
}
