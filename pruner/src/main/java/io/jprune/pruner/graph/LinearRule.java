package io.jprune.pruner.graph;

import io.jprune.tracer.TracedCall;

/** LinearImpl: a {@link Projection} through its registered weight (rows are outputs) and bias. */
final class LinearRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    Projection.propagate(pass, ModuleCall.input(call), call.outputTensor(),
        ModuleCall.param(call, "weight"), 1, ModuleCall.param(call, "bias"));
  }
}
