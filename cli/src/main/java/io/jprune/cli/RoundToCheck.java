package io.jprune.cli;

import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.GroupPlanner;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code --round-to N} keeps a multiple of N units in each group, so a group with fewer than N
 * units keeps all of them. Larger than every group, nothing would be pruned: refused. Larger than
 * some: a warning says how many groups keep everything.
 */
final class RoundToCheck {
  private RoundToCheck() {}

  static void check(int roundTo, List<PruningGroup> groups, PrintWriter err) {
    if (roundTo <= 1 || groups.isEmpty()) {
      return;
    }
    int largest = 0;
    int smaller = 0;
    for (PruningGroup g : groups) {
      int units = GroupPlanner.unitCount(g);
      largest = Math.max(largest, units);
      smaller += units <= roundTo ? 1 : 0;
    }
    if (largest <= roundTo) {
      throw new IllegalArgumentException(
          "--round-to "
              + roundTo
              + " is not smaller than any "
              + "channel group (the largest has "
              + largest
              + " units): nothing would be pruned");
    }
    if (smaller > 0) {
      err.println(
          "jprune: warning: --round-to "
              + roundTo
              + " is not smaller than "
              + smaller
              + " of "
              + groups.size()
              + " channel groups; those keep all their channels");
      err.flush();
    }
  }
}
