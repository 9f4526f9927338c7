package io.jprune.pruner.graph;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/**
 * LinearImpl: input channel i (last dim, over all batch/token positions) is weight column i; each
 * output feature is a new channel owning weight row o and bias o.
 */
final class LinearRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = ModuleCall.input(call);
    TensorRef out = call.outputTensor();
    String weight = ModuleCall.param(call, "weight");
    String bias = ModuleCall.param(call, "bias");
    int[] inAtoms = pass.channelAtoms(in, in.rank() - 1);
    for (int i = 0; i < inAtoms.length; i++) {
      pass.bind(weight, 1, i, inAtoms[i], SliceRole.INPUT);
    }
    int[] outAtoms = pass.freshAtoms((int) out.size(-1));
    pass.bindProducer(weight, 0, bias, outAtoms);
    pass.setLabels(out, LabelPass.broadcastChannels(out.shape(), out.rank() - 1, outAtoms));
  }
}
