package io.jprune.pruner;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.plan.Removal;

/**
 * What one pruning step did.
 *
 * @param step 1-based step number
 * @param removal the channels removed, by group id in that step's graph
 * @param paramsBefore parameter count before the step
 * @param paramsAfter parameter count after the step
 * @param effects the validated effects that were applied
 * @param traceMillis time to trace, graphMillis to build the graph, importanceMillis to score,
 *     surgeryMillis to validate and apply (planning counts as importance)
 * @param scores group id -> the importance score of each channel the step ranked by (ignored
 *     layers' channels infinite); empty for channels chosen by hand
 */
public record StepReport(
    int step,
    Removal removal,
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
    return removal.channelCount();
  }

  @Override
  public String toString() {
    return String.format(
        "step %d: %d channels in %d groups, params %,d -> %,d "
            + "(trace %d ms, graph %d ms, importance %d ms, surgery %d ms)",
        step,
        channelsRemoved(),
        removal.groups().size(),
        paramsBefore,
        paramsAfter,
        traceMillis,
        graphMillis,
        importanceMillis,
        surgeryMillis);
  }
}
