package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conv1d/2d/3d with any groups. Weight is {@code [out, in/groups, k...]}. Plain conv: input channel
 * i is column i, each output channel a new channel. Depthwise (groups == in): output channels are
 * the same channels as their input channel. Grouped (1 < groups < in): the column of input channel
 * i is {@code i % (in/groups)} within its group's rows only, so groups must lose equally many input
 * and output channels. MACs: output elements x in_channels/groups x kernel elements (+ one per
 * output element for a bias).
 */
final class ConvKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("Conv1dImpl", "Conv2dImpl", "Conv3dImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef in = labels.input(call);
    TensorRef out = call.outputTensor();
    String weight = ModuleLabels.param(call, "weight");
    String bias = ModuleLabels.param(call, "bias");
    ImmutableLongArray w = labels.parameterShape(weight);
    int spatial = w.length() - 2;
    int channelDim = in.rank() - spatial - 1;
    int[] inAtoms = labels.channelAtoms(in, channelDim);
    int inChannels = inAtoms.length;
    int outChannels = (int) out.size(channelDim);
    int groups = (int) (inChannels / w.get(1));
    int[] outAtoms;
    if (groups == 1) {
      for (int i = 0; i < inChannels; i++) {
        labels.bindInput(weight, 1, i, inAtoms[i]);
      }
      outAtoms = labels.freshAtoms(outChannels);
    } else if (groups == inChannels) {
      int multiplier = outChannels / inChannels;
      outAtoms = new int[outChannels];
      for (int o = 0; o < outChannels; o++) {
        outAtoms[o] = inAtoms[o / multiplier];
      }
    } else {
      outAtoms = bindGrouped(call, labels, weight, inAtoms, outChannels, groups);
    }
    labels.bindProducer(weight, 0, bias, outAtoms);
    labels.setChannels(out, channelDim, outAtoms);
  }

  /**
   * Grouped (1 < groups < in): input channel i is column {@code i % (in/groups)} of its group's
   * rows; each group's inputs and outputs are blocks that lose equally many channels.
   */
  private static int[] bindGrouped(
      TracedCall call,
      ModuleLabels labels,
      String weight,
      int[] inAtoms,
      int outChannels,
      int groups) {
    int inChannels = inAtoms.length;
    int[] outAtoms = labels.freshAtoms(outChannels);
    int inPerGroup = inChannels / groups;
    int outPerGroup = outChannels / groups;
    List<int[]> inBlocks = new ArrayList<>();
    List<int[]> outBlocks = new ArrayList<>();
    List<long[]> coords = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int[] ib = new int[inPerGroup];
      for (int r = 0; r < inPerGroup; r++) {
        int i = g * inPerGroup + r;
        labels.bindGroupedInput(weight, r, g, inAtoms[i]);
        ib[r] = inAtoms[i];
      }
      int[] ob = new int[outPerGroup];
      System.arraycopy(outAtoms, g * outPerGroup, ob, 0, outPerGroup);
      inBlocks.add(ib);
      outBlocks.add(ob);
      coords.add(new long[] {g});
    }
    String source = "groups=" + groups + " of " + call.modulePath();
    labels.blocks(source + " (input)", inBlocks, coords, false, false);
    labels.blocks(source + " (output)", outBlocks, coords, false, false);
    return outAtoms;
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    int ch = channelDim(change);
    long oldIn = change.current("in_channels")[0];
    long oldGroups = change.current("groups")[0];
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("in_channels", new long[] {change.input()[ch]});
    out.put("out_channels", new long[] {change.output()[ch]});
    if (oldGroups > 1 && oldGroups == oldIn) {
      out.put("groups", new long[] {change.input()[ch]}); // depthwise stays depthwise
    }
    return out;
  }

  /**
   * Input channels are the weight's columns times the groups (depthwise: as many groups as input
   * channels, before and after), output channels its rows.
   */
  @Override
  public boolean shapesAgree(CallShapes shapes) {
    long[] ip = shapes.input().toArray();
    long[] w = shapes.weight().toArray();
    ImmutableLongArray tracedW = shapes.tracedWeight();
    int ch = ip.length - (tracedW.length() - 2) - 1;
    long tracedIn = shapes.tracedInput().get(ch);
    long groups = tracedIn / tracedW.get(1);
    boolean depthwise = groups > 1 && tracedW.get(1) == 1 && groups == tracedIn;
    long g = depthwise ? ip[ch] : groups;
    return ip[ch] == w[1] * g && shapes.output().toArray()[ch] == w[0];
  }

  /** The channel dim of the pruned input: before the kernel's spatial dims. */
  static int channelDim(ModuleChange change) {
    int spatial = change.shapeAfter("weight").length - 2;
    return Math.max(0, change.input().length - spatial - 1);
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    long out = cost.kept(call.outputTensor());
    long[] w = cost.paramShape(ModuleLabels.param(call, "weight"));
    return out * w[1] * kernel(w) + (cost.hasParameter(ModuleLabels.param(call, "bias")) ? out : 0);
  }

  /** Elements of one kernel: the product of the weight's dims after the first two. */
  static long kernel(long[] weight) {
    long k = 1;
    for (int d = 2; d < weight.length; d++) {
      k *= weight[d];
    }
    return k;
  }
}
