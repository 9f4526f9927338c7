package io.jprune.pruner.plan;

import com.google.common.collect.ImmutableMap;
import io.jprune.pruner.group.PruningGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model before pruning, as ratios are measured against it: each group's removable units and
 * attention heads when its leader was first traced, and the cost a target reduces. Ratios of later
 * steps apply to these original sizes, so n steps of a linear schedule reach the ratio of one.
 * Immutable; {@link #with} adds the groups of a re-traced graph.
 */
public final class Baseline {
  private final ImmutableMap<String, Integer> units;
  private final ImmutableMap<String, Integer> heads;
  private final double cost;

  private Baseline(
      ImmutableMap<String, Integer> units, ImmutableMap<String, Integer> heads, double cost) {
    this.units = units;
    this.heads = heads;
    this.cost = cost;
  }

  /**
   * The sizes of the first traced graph's groups.
   *
   * @param cost the MACs or params a target reduces (NaN without a target)
   */
  public static Baseline of(List<PruningGroup> groups, double cost) {
    return new Baseline(ImmutableMap.of(), ImmutableMap.of(), cost).with(groups);
  }

  /**
   * This baseline and the current sizes of groups whose leader it has not seen (a group keeps the
   * size of its first trace).
   */
  public Baseline with(List<PruningGroup> groups) {
    Map<String, Integer> u = new LinkedHashMap<>(units);
    Map<String, Integer> h = new LinkedHashMap<>(heads);
    for (PruningGroup g : groups) {
      u.putIfAbsent(g.leader(), GroupPlanner.unitCount(g));
      h.putIfAbsent(g.leader(), GroupPlanner.headCount(g));
    }
    return new Baseline(ImmutableMap.copyOf(u), ImmutableMap.copyOf(h), cost);
  }

  /** Removable units of the group before pruning (its current count if never seen). */
  public int units(PruningGroup group) {
    Integer n = units.get(group.leader());
    return n != null ? n : GroupPlanner.unitCount(group);
  }

  /** Attention heads of the group before pruning (its current count if never seen). */
  public int heads(PruningGroup group) {
    Integer n = heads.get(group.leader());
    return n != null ? n : GroupPlanner.headCount(group);
  }

  /** The MACs or params a target reduces, before pruning; NaN without a target. */
  public double cost() {
    return cost;
  }
}
