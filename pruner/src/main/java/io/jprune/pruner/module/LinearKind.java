package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TracedCall;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LinearImpl: {@code y = x W^T + b} on the last dim. Input channel i is weight column i; each
 * output feature is a new channel owning weight row o and bias o. MACs: output elements x
 * in_features (+ one per output element for a bias).
 */
final class LinearKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("LinearImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    labels.projection(
        labels.input(call),
        call.outputTensor(),
        ModuleLabels.param(call, "weight"),
        ModuleLabels.param(call, "bias"));
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("in_features", new long[] {last(change.input())});
    out.put("out_features", new long[] {last(change.output())});
    return out;
  }

  /** {@code in_features} is the input's last dim, {@code out_features} the output's. */
  @Override
  public boolean shapesAgree(CallShapes shapes) {
    long[] w = shapes.weight().toArray();
    return last(shapes.input().toArray()) == w[1] && last(shapes.output().toArray()) == w[0];
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    long out = cost.kept(call.outputTensor());
    long[] w = cost.paramShape(ModuleLabels.param(call, "weight"));
    return out * w[1] + (cost.hasParameter(ModuleLabels.param(call, "bias")) ? out : 0);
  }

  static long last(long[] shape) {
    return shape[shape.length - 1];
  }
}
