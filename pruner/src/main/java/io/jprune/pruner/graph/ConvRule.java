package io.jprune.pruner.graph;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Conv1d/2d/3d with any groups. Weight is {@code [out, in/groups, k...]}. Plain conv: input
 * channel i is column i, each output channel a new channel. Depthwise (groups == in): output
 * channels are the same channels as their input channel. Grouped (1 < groups < in): the column of
 * input channel i is {@code i % (in/groups)} within its group's rows only, so groups must lose
 * equally many input and output channels.
 */
final class ConvRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = ModuleCall.input(call);
    TensorRef out = call.outputTensor();
    String weight = ModuleCall.param(call, "weight");
    String bias = ModuleCall.param(call, "bias");
    ImmutableLongArray w = pass.parameterShape(weight);
    int spatial = w.length() - 2;
    int channelDim = in.rank() - spatial - 1;
    int[] inAtoms = pass.channelAtoms(in, channelDim);
    int inChannels = inAtoms.length;
    int outChannels = (int) out.size(channelDim);
    int groups = (int) (inChannels / w.get(1));
    int[] outAtoms;
    if (groups == 1) {
      for (int i = 0; i < inChannels; i++) {
        pass.bind(weight, 1, i, inAtoms[i], SliceRole.INPUT);
      }
      outAtoms = pass.freshAtoms(outChannels);
    } else if (groups == inChannels) {
      int multiplier = outChannels / inChannels;
      outAtoms = new int[outChannels];
      for (int o = 0; o < outChannels; o++) {
        outAtoms[o] = inAtoms[o / multiplier];
      }
    } else {
      outAtoms = pass.freshAtoms(outChannels);
      int inPerGroup = inChannels / groups;
      int outPerGroup = outChannels / groups;
      List<int[]> inBlocks = new ArrayList<>();
      List<int[]> outBlocks = new ArrayList<>();
      List<long[]> coords = new ArrayList<>();
      for (int g = 0; g < groups; g++) {
        int[] ib = new int[inPerGroup];
        for (int r = 0; r < inPerGroup; r++) {
          int i = g * inPerGroup + r;
          pass.bindGrouped(weight, 1, r, g, inAtoms[i]);
          ib[r] = inAtoms[i];
        }
        int[] ob = new int[outPerGroup];
        System.arraycopy(outAtoms, g * outPerGroup, ob, 0, outPerGroup);
        inBlocks.add(ib);
        outBlocks.add(ob);
        coords.add(new long[] {g});
      }
      String source = "groups=" + groups + " of " + call.modulePath();
      pass.addBlocks(source + " (input)", inBlocks, coords, BlockSpec.Kind.EQUAL_COUNT, false);
      pass.addBlocks(source + " (output)", outBlocks, coords, BlockSpec.Kind.EQUAL_COUNT, false);
    }
    pass.bindProducer(weight, 0, bias, outAtoms);
    pass.setLabels(out, LabelPass.broadcastChannels(out.shape(), channelDim, outAtoms));
  }
}
