package io.jprune.pruner.plan;

import com.google.common.primitives.ImmutableIntArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The smallest removable sets of a group's channels under its ALIGNED constraints: channels at the
 * same position of every block are one unit (head_dim d of every head and of q, k and v; the same
 * per-group channel of a channel shuffle).
 */
final class ChannelUnits {
  private final List<int[]> units;

  private ChannelUnits(List<int[]> units) {
    this.units = units;
  }

  static ChannelUnits of(PruningGroup group) {
    int n = group.size();
    int[] parent = joined(group);
    Map<Integer, List<Integer>> byRoot = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byRoot.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(i);
    }
    List<int[]> units = new ArrayList<>();
    for (List<Integer> members : byRoot.values()) {
      units.add(members.stream().mapToInt(Integer::intValue).toArray());
    }
    return new ChannelUnits(units);
  }

  /**
   * How many units {@link #of} finds, without building them: a {@link Baseline} of every group is
   * taken at each build and only counts.
   */
  static int countOf(PruningGroup group) {
    int[] parent = joined(group);
    int roots = 0;
    for (int i = 0; i < parent.length; i++) {
      if (find(parent, i) == i) {
        roots++;
      }
    }
    return roots;
  }

  /** Union-find over the channels: those at one position of every ALIGNED block are joined. */
  private static int[] joined(PruningGroup group) {
    int n = group.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (GroupConstraint c : group.constraints()) {
      if (c.kind() != BlockSpec.Kind.ALIGNED) {
        continue;
      }
      for (int p = 0; p < c.blockSize(); p++) {
        int first = -1;
        for (ImmutableIntArray block : c.blocks()) {
          int ch = block.get(p);
          if (ch < 0) {
            continue;
          }
          if (first < 0) {
            first = ch;
          } else {
            union(parent, first, ch);
          }
        }
      }
    }
    return parent;
  }

  int count() {
    return units.size();
  }

  int[] unit(int u) {
    return units.get(u);
  }

  /** Mean score of each unit's channels. */
  double[] scores(double[] channelScores) {
    double[] s = new double[units.size()];
    for (int u = 0; u < units.size(); u++) {
      double sum = 0;
      for (int ch : units.get(u)) {
        sum += channelScores[ch];
      }
      s[u] = sum / units.get(u).length;
    }
    return s;
  }

  private static int find(int[] parent, int a) {
    while (parent[a] != a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}
