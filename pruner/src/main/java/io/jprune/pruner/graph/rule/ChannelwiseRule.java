package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.SliceRole;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/**
 * Modules that work on each channel's spatial map on its own (pooling, adaptive pooling,
 * upsampling, PReLU, and the functional max_pool2d/avg_pool2d/...): the output channel c is the
 * input channel c. A per-channel PReLU weight follows its channel.
 */
final class ChannelwiseRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.outputTensor();
    int spatial =
        call.isModuleCall() ? ModuleCall.spatialDims(call) : ModuleCall.spatialDims(call.op());
    int channelDim = spatial == 0 ? (in.rank() >= 2 ? 1 : 0) : in.rank() - spatial - 1;
    int[] atoms = pass.channelAtoms(in, channelDim);
    String weight = call.isModuleCall() ? ModuleLabels.param(call, "weight") : "";
    if (call.isModuleCall()
        && pass.hasParameter(weight)
        && pass.parameterShape(weight).get(0) == atoms.length
        && atoms.length > 1) {
      for (int c = 0; c < atoms.length; c++) {
        pass.bind(weight, 0, c, atoms[c], SliceRole.STATE);
      }
    }
    if (out.rank() != in.rank() || out.size(channelDim) != in.size(channelDim)) {
      throw new UnsupportedOpException(
          call, "expected the channel count to stay " + in.size(channelDim) + ", got " + out);
    }
    pass.setChannels(out, channelDim, atoms);
  }
}
