package io.jprune.pruner.plan;

import com.google.common.primitives.ImmutableIntArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.IndexSets;
import io.jprune.pruner.group.PruningGroup;
import java.util.List;

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
    return new ChannelUnits(joined(group).sets());
  }

  /**
   * How many units {@link #of} finds, without building them: a {@link Baseline} of every group is
   * taken at each build and only counts.
   */
  static int countOf(PruningGroup group) {
    return joined(group).count();
  }

  /** Union-find over the channels: those at one position of every ALIGNED block are joined. */
  private static IndexSets joined(PruningGroup group) {
    IndexSets sets = new IndexSets(group.size());
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
            sets.union(first, ch);
          }
        }
      }
    }
    return sets;
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
}
