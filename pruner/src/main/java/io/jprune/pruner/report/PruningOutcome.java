package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.RemovalEffects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a pruning run did, for the HTML report of the original graph: the before/after table, the
 * effects of every step in order and the importance scores the first step ranked the original
 * groups' channels by. The steps' cuts are composed so that each parameter dim's kept indices are
 * known in the original numbering, however many steps there were.
 *
 * @param table params, MACs and latency before and after
 * @param steps the applied effects, first step first (each in its own step's numbering)
 * @param scores group id of the original graph -> one score per channel (first step), empty when
 *     the channels were chosen by hand
 */
public record PruningOutcome(
    PruningReport table,
    ImmutableList<RemovalEffects> steps,
    ImmutableMap<Integer, ImmutableDoubleArray> scores) {

  /** Checks that no component is null. */
  public PruningOutcome {
    checkNotNull(table, "table");
    checkNotNull(steps, "steps");
    checkNotNull(scores, "scores");
  }

  /** From the steps' effects and the first step's scores. */
  public static PruningOutcome of(
      PruningReport table, List<RemovalEffects> steps, Map<Integer, ImmutableDoubleArray> scores) {
    return new PruningOutcome(table, ImmutableList.copyOf(steps), ImmutableMap.copyOf(scores));
  }

  /**
   * For every parameter dim the steps cut: the original indices that are left, in order.
   *
   * @return param -> dim -> kept original indices
   */
  public Map<String, Map<Integer, long[]>> keptIndices() {
    Map<String, Map<Integer, long[]>> kept = new HashMap<>();
    for (RemovalEffects step : steps) {
      for (ParamCut cut : step.cuts().values()) {
        Map<Integer, long[]> dims = kept.computeIfAbsent(cut.param(), p -> new HashMap<>());
        cut.removed()
            .forEach(
                (dim, removed) -> {
                  long[] now = dims.computeIfAbsent(dim, d -> identity(cut.shape().get(d)));
                  checkArgument(
                      now.length == cut.shape().get(dim),
                      "step cuts %s[%s] of size %s, " + "earlier steps left %s",
                      cut.param(),
                      dim,
                      cut.shape().get(dim),
                      now.length);
                  dims.put(dim, without(now, removed));
                });
      }
    }
    return kept;
  }

  /** The first step's scores of a group of the original graph. */
  public Optional<ImmutableDoubleArray> scoresOf(int group) {
    return Optional.ofNullable(scores.get(group));
  }

  private static long[] identity(long n) {
    long[] out = new long[(int) n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  private static long[] without(long[] now, ImmutableLongArray removedPositions) {
    boolean[] drop = new boolean[now.length];
    removedPositions.forEach(i -> drop[(int) i] = true);
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < now.length; i++) {
      if (!drop[i]) {
        out.add(now[i]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
