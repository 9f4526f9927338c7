package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Normalisation modules. Each keeps every element in its place, so outputs carry the input's
 * channels, and the affine parameters (and BN running stats) follow their channel.
 *
 * <ul>
 *   <li>BatchNorm / InstanceNorm normalise each channel on its own: exact.
 *   <li>LayerNorm normalises across its last dim: removing channels changes the others (inexact);
 *       {@code normalized_shape} follows the width (forward checks it).
 *   <li>GroupNorm normalises across each group (inexact) and needs the same number of channels in
 *       every group, or whole groups removed; {@code num_groups} follows.
 * </ul>
 *
 * MACs: elements x 2 when affine, else x 1 (Torch-Pruning counts no LayerNorm).
 */
final class NormKind implements ModuleKind {
  /** Which normalisation. */
  enum Norm {
    BATCH,
    LAYER,
    GROUP
  }

  private final Norm norm;

  NormKind(Norm norm) {
    this.norm = norm;
  }

  @Override
  public ImmutableSet<String> types() {
    return switch (norm) {
      case BATCH ->
          ImmutableSet.of(
              "BatchNorm1dImpl",
              "BatchNorm2dImpl",
              "BatchNorm3dImpl",
              "InstanceNorm1dImpl",
              "InstanceNorm2dImpl",
              "InstanceNorm3dImpl");
      case LAYER -> ImmutableSet.of("LayerNormImpl");
      case GROUP -> ImmutableSet.of("GroupNormImpl");
    };
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef in = labels.input(call);
    int channelDim = norm == Norm.LAYER ? in.rank() - 1 : in.rank() >= 2 ? 1 : 0;
    String weight = ModuleLabels.param(call, "weight");
    if (norm == Norm.LAYER
        && labels.hasParameter(weight)
        && labels.parameterShape(weight).length() != 1) {
      throw labels.unsupported(
          call,
          "LayerNorm over more than one dim ("
              + labels.parameterShape(weight)
              + ") is not supported");
    }
    int[] atoms = labels.channelAtoms(in, channelDim);
    for (String local : List.of("weight", "bias")) {
      String name = ModuleLabels.param(call, local);
      if (labels.hasParameter(name)) {
        for (int c = 0; c < atoms.length; c++) {
          labels.bindOutput(name, 0, c, atoms[c]);
        }
      }
    }
    for (String local : List.of("running_mean", "running_var")) {
      String name = ModuleLabels.param(call, local);
      if (labels.hasParameter(name)) {
        for (int c = 0; c < atoms.length; c++) {
          labels.bindState(name, 0, c, atoms[c]);
        }
      }
    }
    if (norm != Norm.BATCH) {
      String why =
          ModuleLabels.type(call) + " " + call.modulePath() + " normalises across channels";
      for (int a : atoms) {
        labels.markInexact(a, why);
      }
    }
    if (norm == Norm.GROUP) {
      addGroupBlocks(call, labels, atoms);
    }
    labels.setChannels(call.outputTensor(), channelDim, atoms);
  }

  private static void addGroupBlocks(TracedCall call, ModuleLabels labels, int[] atoms) {
    int groups = (int) labels.option(call, "num_groups")[0];
    int per = atoms.length / groups;
    List<int[]> blocks = new ArrayList<>();
    List<long[]> coords = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int[] b = new int[per];
      System.arraycopy(atoms, g * per, b, 0, per);
      blocks.add(b);
      coords.add(new long[] {g});
    }
    labels.blocks(
        "GroupNorm " + call.modulePath() + " (" + groups + " groups)", blocks, coords, false, true);
  }

  /**
   * BatchNorm, InstanceNorm, GroupNorm: the weight has one entry per channel (dim 1, or 0 without a
   * batch dim). LayerNorm: the weight's shape is the input's trailing dims.
   */
  @Override
  public boolean shapesAgree(CallShapes shapes) {
    long[] ip = shapes.input().toArray();
    long[] w = shapes.weight().toArray();
    return switch (norm) {
      case BATCH, GROUP -> ip[ip.length >= 2 ? 1 : 0] == w[0];
      case LAYER -> Arrays.equals(w, Arrays.copyOfRange(ip, ip.length - w.length, ip.length));
    };
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    long[] in = change.input();
    return switch (norm) {
      case BATCH -> Map.of("num_features", new long[] {in[in.length >= 2 ? 1 : 0]});
      case LAYER -> Map.of("normalized_shape", new long[] {in[in.length - 1]});
      case GROUP -> groupNorm(change, in[1]);
    };
  }

  private static Map<String, long[]> groupNorm(ModuleChange change, long channels) {
    long groups = change.current("num_groups")[0];
    long oldChannels = change.current("num_channels")[0];
    long[] removed = change.removed("weight", 0);
    long newGroups = groups;
    if (removed.length > 0) {
      long per = oldChannels / groups;
      long[] perGroup = new long[(int) groups];
      for (long idx : removed) {
        perGroup[(int) (idx / per)]++;
      }
      long partial = -1;
      for (long r : perGroup) {
        if (r == per) {
          newGroups--;
        } else if (partial >= 0 && r != partial) {
          throw change.refuse(
              "GroupNorm "
                  + change.path()
                  + " would lose different numbers of "
                  + "channels per group "
                  + Arrays.toString(perGroup)
                  + ": every group must lose as many, or whole groups go");
        } else {
          partial = r;
        }
      }
    }
    if (newGroups < 1 || channels % newGroups != 0) {
      throw change.refuse(
          "GroupNorm "
              + change.path()
              + " would have "
              + channels
              + " channels in "
              + newGroups
              + " groups");
    }
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("num_channels", new long[] {channels});
    out.put("num_groups", new long[] {newGroups});
    return out;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    return cost.kept(call.outputTensor())
        * (cost.hasParameter(ModuleLabels.param(call, "weight")) ? 2 : 1);
  }
}
