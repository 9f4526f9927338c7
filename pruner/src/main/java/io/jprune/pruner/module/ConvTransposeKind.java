package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ConvTranspose1d/2d/3d (groups 1): weight is {@code [in, out, k...]}, the transpose of Conv's
 * layout, so input channel i is weight row i and output channel o is column o plus bias o. MACs:
 * input elements x out_channels/groups x kernel elements (+ bias); ptflops counts output positions
 * instead, which over-counts by the stride.
 */
final class ConvTransposeKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("ConvTranspose1dImpl", "ConvTranspose2dImpl", "ConvTranspose3dImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef in = labels.input(call);
    TensorRef out = call.outputTensor();
    String weight = ModuleLabels.param(call, "weight");
    String bias = ModuleLabels.param(call, "bias");
    ImmutableLongArray w = labels.parameterShape(weight);
    int channelDim = in.rank() - (w.length() - 2) - 1;
    int[] inAtoms = labels.channelAtoms(in, channelDim);
    int outChannels = (int) out.size(channelDim);
    if (w.get(1) != outChannels) {
      throw labels.unsupported(
          call,
          "grouped ConvTranspose (weight " + w + ", " + outChannels + " outputs) is not supported");
    }
    for (int i = 0; i < inAtoms.length; i++) {
      labels.bindInput(weight, 0, i, inAtoms[i]);
    }
    int[] outAtoms = labels.freshAtoms(outChannels);
    labels.bindProducer(weight, 1, bias, outAtoms);
    labels.setChannels(out, channelDim, outAtoms);
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    int ch = ConvKind.channelDim(change);
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("in_channels", new long[] {change.input()[ch]});
    out.put("out_channels", new long[] {change.output()[ch]});
    return out;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    long[] w = cost.paramShape(ModuleLabels.param(call, "weight"));
    long bias =
        cost.hasParameter(ModuleLabels.param(call, "bias")) ? cost.kept(call.outputTensor()) : 0;
    return cost.kept(call.tensorInputs().get(0)) * w[1] * ConvKind.kernel(w) + bias;
  }
}
