package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.List;

/**
 * MultiheadAttentionImpl, kept whole: libtorch ties its inner width to its input width, so its
 * weights are not sliced; the channels it reads stay and its outputs are new fixed channels. MACs
 * on query [L, N, E] and key/value [S, N, E]: the q, k, v and output projections, q.k^T and the
 * weighted sum of v (biases added when present). Its {@code out_proj} parameters are on its row.
 */
final class MultiheadAttentionKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("MultiheadAttentionImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    labels.keepWhole(call);
  }

  @Override
  public boolean keptWhole() {
    return true;
  }

  @Override
  public boolean ownsSubmoduleParameters() {
    return true;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    List<TensorRef> in = call.tensorInputs();
    if (in.size() < 3) {
      throw new IllegalArgumentException(call + " has " + in.size()
          + " tensor inputs, expected query, key, value");
    }
    long l = cost.size(in.get(0), 0);
    long n = cost.size(in.get(0), 1);
    long e = cost.size(in.get(0), 2);
    long src = cost.size(in.get(1), 0);
    boolean bias = cost.hasParameter(ModuleLabels.param(call, "in_proj_bias"));
    long projections = (l + 2 * src) * n * e * e + l * n * e * e;
    long attention = 2 * n * l * src * e;
    return projections + attention + (bias ? (2 * l + 2 * src) * n * e : 0);
  }
}
