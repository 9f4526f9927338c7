package io.jprune.pruner.graph;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/** EmbeddingImpl: indices in, {@code [..., dim]} out; output channel d is weight column d. */
final class EmbeddingRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef out = call.outputTensor();
    String weight = ModuleCall.param(call, "weight");
    int[] atoms = pass.freshAtoms((int) out.size(-1));
    for (int d = 0; d < atoms.length; d++) {
      pass.bind(weight, 1, d, atoms[d], SliceRole.OUTPUT);
    }
    pass.setLabels(out, LabelPass.broadcastChannels(out.shape(), out.rank() - 1, atoms));
  }
}
