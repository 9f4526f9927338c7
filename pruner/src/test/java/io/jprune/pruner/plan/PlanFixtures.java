package io.jprune.pruner.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.graph.SliceRole;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importances;
import java.util.Map;

/** Hand-built groups and options for the planning rules. */
final class PlanFixtures {
  private PlanFixtures() {}

  /** A group of {@code size} output channels of {@code param}, no constraints. */
  static PruningGroup group(int id, String param, int size) {
    ImmutableList.Builder<Channel> channels = ImmutableList.builder();
    for (int i = 0; i < size; i++) {
      channels.add(new Channel(i, ImmutableList.of(output(param, i)), null));
    }
    return new PruningGroup(id, channels.build(), ImmutableList.of());
  }

  static ParamSlice output(String param, int index) {
    return new ParamSlice(param, 0, index, SliceRole.OUTPUT, -1);
  }

  /** Scores {@code first, first + 1, ...}: channel 0 is the weakest. */
  static ImmutableDoubleArray ascending(int size, double first) {
    double[] s = new double[size];
    for (int i = 0; i < size; i++) {
      s[i] = first + i;
    }
    return ImmutableDoubleArray.copyOf(s);
  }

  /** Options with a channel ratio and nothing else set. */
  static PruningOptions ratio(double ratio, Map<String, Double> moduleRatios) {
    return options(ratio, moduleRatios, 1.0, false, 1, null);
  }

  static PruningOptions options(
      double ratio,
      Map<String, Double> moduleRatios,
      double maxRatio,
      boolean global,
      int steps,
      PruningTarget target) {
    return new PruningOptions(
        Importances.magnitude(2),
        ratio,
        ImmutableMap.copyOf(moduleRatios),
        maxRatio,
        0,
        true,
        ImmutableSet.of(),
        global,
        steps,
        Schedule.linear(),
        1,
        target);
  }

  /** A cost for plans that must not use one (no target). */
  static double noCost(Removal r) {
    throw new AssertionError("no target: nothing should be costed, got " + r);
  }
}
