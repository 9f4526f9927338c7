package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.BlockSpec;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Chooses which channels of one group go, honouring its constraints: whole heads first (when
 * asked), then the lowest-scoring units — the same count in every block where blocks must lose
 * equally, and a kept count that is a multiple of {@code roundTo}.
 */
public final class GroupPlanner {
  private GroupPlanner() {}

  /**
   * @param group the group
   * @param scores one score per channel (higher = keep)
   * @param removeFraction fraction of the group's units to remove, in [0, 1)
   * @param headFraction fraction of whole heads to remove (groups with head structure), in [0, 1)
   * @param roundTo kept units rounded to a multiple of this (1 = no rounding)
   * @return sorted channel indices to remove
   */
  public static long[] choose(PruningGroup group, double[] scores, double removeFraction,
      double headFraction, int roundTo) {
    checkArgument(scores.length == group.size(), "%s scores for group %s of %s channels",
        scores.length, group.id(), group.size());
    checkArgument(removeFraction >= 0 && removeFraction < 1,
        "ratio must be in [0, 1), got %s", removeFraction);
    TreeSet<Integer> removed = new TreeSet<>();
    if (headFraction > 0) {
      removed.addAll(heads(group, scores, headFraction));
    }
    ChannelUnits units = ChannelUnits.of(group);
    double[] unitScores = units.scores(scores);
    boolean[] gone = new boolean[units.count()];
    for (int u = 0; u < gone.length; u++) {
      gone[u] = true;
      for (int ch : units.unit(u)) {
        gone[u] &= removed.contains(ch);
      }
    }
    int alive = 0;
    for (boolean g : gone) {
      alive += g ? 0 : 1;
    }
    int keep = (int) Math.round(units.count() * (1 - removeFraction));
    keep = roundKeep(keep, roundTo, alive);
    int toRemove = Math.max(0, alive - keep);
    GroupConstraint equal = group.constraints().stream()
        .filter(c -> c.kind() == BlockSpec.Kind.EQUAL_COUNT).findFirst().orElse(null);
    List<Integer> chosen = equal == null
        ? lowest(allAlive(gone), unitScores, toRemove)
        : perBlock(equal, units, gone, unitScores, toRemove);
    for (int u : chosen) {
      for (int ch : units.unit(u)) {
        removed.add(ch);
      }
    }
    return removed.stream().mapToLong(Integer::longValue).toArray();
  }

  static int roundKeep(int keep, int roundTo, int alive) {
    if (roundTo <= 1) {
      return Math.max(1, keep);
    }
    int rounded = (int) Math.round((double) keep / roundTo) * roundTo;
    rounded = Math.max(roundTo, rounded);
    return Math.min(rounded, alive);
  }

  private static List<Integer> allAlive(boolean[] gone) {
    List<Integer> out = new ArrayList<>();
    for (int u = 0; u < gone.length; u++) {
      if (!gone[u]) {
        out.add(u);
      }
    }
    return out;
  }

  private static List<Integer> lowest(List<Integer> candidates, double[] scores, int n) {
    List<Integer> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingDouble((Integer u) -> scores[u]).thenComparing(u -> u));
    return sorted.subList(0, Math.min(n, sorted.size()));
  }

  /** The same number from every block (GroupNorm groups, chunks, conv groups). */
  private static List<Integer> perBlock(GroupConstraint c, ChannelUnits units, boolean[] gone,
      double[] scores, int total) {
    int blocks = c.blocks().size();
    int per = total / blocks;
    List<Integer> out = new ArrayList<>();
    for (ImmutableIntArray block : c.blocks()) {
      TreeSet<Integer> candidates = new TreeSet<>();
      for (int p = 0; p < block.length(); p++) {
        int ch = block.get(p);
        if (ch >= 0 && !gone[units.unitOf(ch)]) {
          candidates.add(units.unitOf(ch));
        }
      }
      out.addAll(lowest(new ArrayList<>(candidates), scores, Math.min(per,
          Math.max(0, candidates.size() - 1))));
    }
    return out;
  }

  /**
   * Whole heads: in a constraint whose blocks are (branch, head), the blocks sharing the last
   * coordinate are one head across q, k and v.
   */
  private static List<Integer> heads(PruningGroup group, double[] scores, double fraction) {
    GroupConstraint c = group.constraints().stream()
        .filter(x -> x.kind() == BlockSpec.Kind.ALIGNED && x.wholeBlocksAllowed()
            && x.coordinates().get(0).length() >= 1)
        .findFirst().orElse(null);
    if (c == null) {
      return List.of();
    }
    Map<Long, List<Integer>> headChannels = new LinkedHashMap<>();
    for (int b = 0; b < c.blocks().size(); b++) {
      ImmutableLongArray coord = c.coordinates().get(b);
      long head = coord.get(coord.length() - 1);
      for (int p = 0; p < c.blockSize(); p++) {
        int ch = c.blocks().get(b).get(p);
        if (ch >= 0) {
          headChannels.computeIfAbsent(head, h -> new ArrayList<>()).add(ch);
        }
      }
    }
    int heads = headChannels.size();
    int remove = Math.min(heads - 1, (int) Math.round(heads * fraction));
    List<Long> order = new ArrayList<>(headChannels.keySet());
    order.sort(Comparator.comparingDouble((Long h) -> headChannels.get(h).stream()
        .mapToDouble(ch -> scores[ch]).average().orElse(0)).thenComparing(h -> h));
    List<Integer> out = new ArrayList<>();
    for (Long h : order.subList(0, remove)) {
      out.addAll(headChannels.get(h));
    }
    return out;
  }

  /** Number of heads of a group (0 when it has no head structure). */
  public static int headCount(PruningGroup group) {
    return group.constraints().stream()
        .filter(x -> x.kind() == BlockSpec.Kind.ALIGNED && x.wholeBlocksAllowed())
        .findFirst()
        .map(c -> (int) c.coordinates().stream()
            .mapToLong(co -> co.get(co.length() - 1)).distinct().count())
        .orElse(0);
  }

  /** Number of removable units (channels tied by ALIGNED constraints count once). */
  public static int unitCount(PruningGroup group) {
    return ChannelUnits.of(group).count();
  }

  /** Mean channel score of each unit, and the unit of each channel, for global ranking. */
  public static double[] unitScores(PruningGroup group, double[] channelScores) {
    return ChannelUnits.of(group).scores(channelScores);
  }
}
