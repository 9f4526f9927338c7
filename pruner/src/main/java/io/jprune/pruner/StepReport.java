package io.jprune.pruner;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.RemovalEffects;

/**
 * What one pruning step did.
 *
 * @param step 1-based step number
 * @param removal group id (in that step's graph) -> removed channel indices
 * @param paramsBefore parameter count before the step
 * @param paramsAfter parameter count after the step
 * @param effects the validated effects that were applied
 * @param traceMillis time to trace, graphMillis to build the graph, importanceMillis to score,
 *     surgeryMillis to plan, validate and apply
 * @param scores group id -> the importance score of each channel the step ranked by (ignored
 *     layers' channels infinite); empty for channels chosen by hand
 */
public record StepReport(
    int step,
    ImmutableMap<Integer, ImmutableLongArray> removal,
    long paramsBefore,
    long paramsAfter,
    RemovalEffects effects,
    long traceMillis,
    long graphMillis,
    long importanceMillis,
    long surgeryMillis,
    ImmutableMap<Integer, ImmutableDoubleArray> scores) {

  /** Channels removed in this step, over all groups. */
  public long channelsRemoved() {
    return removal.values().stream().mapToLong(ImmutableLongArray::length).sum();
  }

  @Override
  public String toString() {
    return String.format(
        "step %d: %d channels in %d groups, params %,d -> %,d "
            + "(trace %d ms, graph %d ms, importance %d ms, surgery %d ms)",
        step,
        channelsRemoved(),
        removal.size(),
        paramsBefore,
        paramsAfter,
        traceMillis,
        graphMillis,
        importanceMillis,
        surgeryMillis);
  }
}
