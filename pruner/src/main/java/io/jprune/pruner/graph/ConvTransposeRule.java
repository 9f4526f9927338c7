package io.jprune.pruner.graph;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/**
 * ConvTranspose1d/2d/3d (groups 1): weight is {@code [in, out, k...]}, the transpose of Conv's
 * layout, so input channel i is weight row i and output channel o is column o plus bias o.
 */
final class ConvTransposeRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = ModuleCall.input(call);
    TensorRef out = call.outputTensor();
    String weight = ModuleCall.param(call, "weight");
    String bias = ModuleCall.param(call, "bias");
    ImmutableLongArray w = pass.parameterShape(weight);
    int channelDim = in.rank() - (w.length() - 2) - 1;
    int[] inAtoms = pass.channelAtoms(in, channelDim);
    int outChannels = (int) out.size(channelDim);
    if (w.get(1) != outChannels) {
      throw new UnsupportedOpException(call, "grouped ConvTranspose (weight " + w + ", "
          + outChannels + " outputs) is not supported");
    }
    for (int i = 0; i < inAtoms.length; i++) {
      pass.bind(weight, 0, i, inAtoms[i], SliceRole.INPUT);
    }
    int[] outAtoms = pass.freshAtoms(outChannels);
    pass.bindProducer(weight, 1, bias, outAtoms);
    pass.setLabels(out, LabelPass.broadcastChannels(out.shape(), channelDim, outAtoms));
  }
}
