package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.group.BlockSpec;
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
  public static long[] choose(
      PruningGroup group,
      double[] scores,
      double removeFraction,
      double headFraction,
      int roundTo) {
    return choose(group, ChannelUnits.of(group), scores, removeFraction, headFraction, roundTo);
  }

  /** {@link #choose(PruningGroup, double[], double, double, int)} with the group's units. */
  static long[] choose(
      PruningGroup group,
      ChannelUnits units,
      double[] scores,
      double removeFraction,
      double headFraction,
      int roundTo) {
    checkArgument(
        scores.length == group.size(),
        "%s scores for group %s of %s channels",
        scores.length,
        group.id(),
        group.size());
    checkArgument(
        removeFraction >= 0 && removeFraction < 1,
        "ratio must be in [0, 1), got %s",
        removeFraction);
    TreeSet<Integer> removed = new TreeSet<>();
    if (headFraction > 0) {
      removed.addAll(heads(group, scores, headFraction));
    }
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
    lockLastOfEachLayer(group, units, unitScores, gone);
    int keep = (int) Math.round(units.count() * (1 - removeFraction));
    keep = roundKeep(keep, roundTo, alive);
    int toRemove = Math.max(0, alive - keep);
    List<GroupConstraint> equal =
        group.constraints().stream().filter(c -> c.kind() == BlockSpec.Kind.EQUAL_COUNT).toList();
    List<Integer> chosen =
        equal.isEmpty()
            ? lowest(allAlive(gone), unitScores, toRemove)
            : balance(perCell(equal, units, gone, unitScores, toRemove), equal, units, unitScores);
    for (int u : chosen) {
      for (int ch : units.unit(u)) {
        removed.add(ch);
      }
    }
    return removed.stream().mapToLong(Integer::longValue).toArray();
  }

  /**
   * Every parameter dim of the group keeps at least one slice: the best-scoring unit touching it is
   * marked as not removable (by setting it "gone" for the selection below, it is never chosen; its
   * channels are not in {@code removed}).
   */
  private static void lockLastOfEachLayer(
      PruningGroup group, ChannelUnits units, double[] unitScores, boolean[] gone) {
    Map<SliceDim, Integer> best = new LinkedHashMap<>();
    for (int u = 0; u < units.count(); u++) {
      if (gone[u]) {
        continue;
      }
      for (int ch : units.unit(u)) {
        for (var slice : group.channel(ch).slices()) {
          SliceDim key = new SliceDim(slice.param(), slice.dim(), slice.convGroup());
          Integer b = best.get(key);
          if (b == null || unitScores[u] > unitScores[b]) {
            best.put(key, u);
          }
        }
      }
    }
    for (int u : best.values()) {
      gone[u] = true;
    }
  }

  /** A parameter dim (per conv group for grouped columns) that must keep one slice. */
  private record SliceDim(String param, int dim, int convGroup) {}

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

  /**
   * The same number from every block of every EQUAL_COUNT constraint (GroupNorm groups, chunks,
   * conv groups): units are sorted into cells by the blocks they touch in each constraint, and
   * every cell loses as many. A unit spanning blocks (one channel in each chunk, tied by a channel
   * shuffle) is one cell member, so its blocks lose alike; nested partitions (GroupNorm groups
   * inside conv groups) refine into cells of the finer one.
   */
  private static List<Integer> perCell(
      List<GroupConstraint> constraints,
      ChannelUnits units,
      boolean[] gone,
      double[] scores,
      int total) {
    Map<String, List<Integer>> cells = new LinkedHashMap<>();
    for (int u = 0; u < units.count(); u++) {
      if (gone[u]) {
        continue;
      }
      StringBuilder key = new StringBuilder();
      for (GroupConstraint c : constraints) {
        TreeSet<Integer> touched = new TreeSet<>();
        for (int ch : units.unit(u)) {
          for (int b = 0; b < c.blocks().size(); b++) {
            if (c.blocks().get(b).contains(ch)) {
              touched.add(b);
            }
          }
        }
        key.append(touched).append('|');
      }
      cells.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(u);
    }
    int per = total / cells.size();
    int smallest = cells.values().stream().mapToInt(List::size).min().orElse(0);
    per = Math.min(per, Math.max(0, smallest - 1));
    List<Integer> out = new ArrayList<>();
    for (List<Integer> cell : cells.values()) {
      out.addAll(lowest(cell, scores, per));
    }
    return out;
  }

  /**
   * Gives back the highest-scoring chosen units of the block that loses most until every block of
   * every EQUAL_COUNT constraint loses the same number of channels (units of unequal sizes, e.g.
   * tied through several channel shuffles, can unbalance equal unit counts).
   */
  private static List<Integer> balance(
      List<Integer> chosen,
      List<GroupConstraint> constraints,
      ChannelUnits units,
      double[] scores) {
    List<Integer> kept = new ArrayList<>(chosen);
    kept.sort(Comparator.comparingDouble((Integer u) -> scores[u]).thenComparing(u -> u));
    boolean changed = true;
    while (changed && !kept.isEmpty()) {
      changed = false;
      for (GroupConstraint c : constraints) {
        int[] counts = new int[c.blocks().size()];
        for (int u : kept) {
          for (int ch : units.unit(u)) {
            for (int b = 0; b < counts.length; b++) {
              counts[b] += c.blocks().get(b).contains(ch) ? 1 : 0;
            }
          }
        }
        int max = 0;
        int min = Integer.MAX_VALUE;
        int maxBlock = 0;
        for (int b = 0; b < counts.length; b++) {
          if (counts[b] > max) {
            max = counts[b];
            maxBlock = b;
          }
          min = Math.min(min, counts[b]);
        }
        if (max == min) {
          continue;
        }
        ImmutableIntArray block = c.blocks().get(maxBlock);
        for (int i = kept.size() - 1; i >= 0; i--) {
          boolean inBlock = false;
          for (int ch : units.unit(kept.get(i))) {
            inBlock |= block.contains(ch);
          }
          if (inBlock) {
            kept.remove(i);
            changed = true;
            break;
          }
        }
        break;
      }
    }
    return kept;
  }

  /**
   * Whole heads: in a constraint whose blocks are (branch, head), the blocks sharing the last
   * coordinate are one head across q, k and v. Where q, k and v are viewed into heads each on its
   * own (taken with narrow or split first), every such view is a constraint of its own, and head h
   * of each is one head: they go together. Views with different head counts (k and v shared by
   * groups of query heads) do not pair up by index, so no whole heads are planned there (the
   * whole-trace validation would refuse them); head dims still are.
   */
  private static List<Integer> heads(PruningGroup group, double[] scores, double fraction) {
    List<GroupConstraint> views = headViews(group);
    if (views.isEmpty()) {
      return List.of();
    }
    Map<Long, List<Integer>> headChannels = new LinkedHashMap<>();
    for (GroupConstraint c : views) {
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
    }
    int heads = headChannels.size();
    if (views.stream().anyMatch(c -> headsOf(c) != heads)) {
      return List.of();
    }
    int remove = Math.min(heads - 1, (int) Math.round(heads * fraction));
    List<Long> order = new ArrayList<>(headChannels.keySet());
    order.sort(
        Comparator.comparingDouble(
                (Long h) ->
                    headChannels.get(h).stream().mapToDouble(ch -> scores[ch]).average().orElse(0))
            .thenComparing(h -> h));
    List<Integer> out = new ArrayList<>();
    for (Long h : order.subList(0, remove)) {
      out.addAll(headChannels.get(h));
    }
    return out;
  }

  private static List<GroupConstraint> headViews(PruningGroup group) {
    return group.constraints().stream()
        .filter(
            x ->
                x.kind() == BlockSpec.Kind.ALIGNED
                    && x.wholeBlocksAllowed()
                    && !x.coordinates().isEmpty()
                    && x.coordinates().get(0).length() >= 1)
        .toList();
  }

  private static int headsOf(GroupConstraint c) {
    return (int)
        c.coordinates().stream().mapToLong(co -> co.get(co.length() - 1)).distinct().count();
  }

  /** Number of heads of a group (0 when it has no head structure). */
  public static int headCount(PruningGroup group) {
    return group.constraints().stream()
        .filter(x -> x.kind() == BlockSpec.Kind.ALIGNED && x.wholeBlocksAllowed())
        .findFirst()
        .map(
            c ->
                (int)
                    c.coordinates().stream()
                        .mapToLong(co -> co.get(co.length() - 1))
                        .distinct()
                        .count())
        .orElse(0);
  }

  /** Number of removable units (channels tied by ALIGNED constraints count once). */
  public static int unitCount(PruningGroup group) {
    return ChannelUnits.countOf(group);
  }

  /** Mean channel score of each unit, and the unit of each channel, for global ranking. */
  public static double[] unitScores(PruningGroup group, double[] channelScores) {
    return ChannelUnits.of(group).scores(channelScores);
  }
}
