package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/** Names and shapes of a traced built-in module call, as module rules need them. */
final class ModuleCall {
  private ModuleCall() {}

  static TensorRef input(TracedCall call) {
    if (call.tensorInputs().size() != 1) {
      throw new UnsupportedOpException(
          call, "expected one tensor input, got " + call.tensorInputs());
    }
    return call.tensorInputs().get(0);
  }

  /** Spatial dims of a 1d/2d/3d module from its type name, 0 when it has none. */
  static int spatialDims(TracedCall call) {
    return spatialDims(ModuleLabels.type(call));
  }

  /** Spatial dims from a name such as {@code Conv2dImpl} or {@code max_pool2d}. */
  static int spatialDims(String t) {
    if (t.contains("1d")) {
      return 1;
    }
    if (t.contains("2d")) {
      return 2;
    }
    return t.contains("3d") ? 3 : 0;
  }
}
