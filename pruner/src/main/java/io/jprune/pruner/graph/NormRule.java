package io.jprune.pruner.graph;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Normalisation modules. Each keeps every element in its place, so outputs carry the input's
 * channels, and the affine parameters (and BN running stats) follow their channel.
 * <ul>
 *   <li>BatchNorm / InstanceNorm normalise each channel on its own: exact.
 *   <li>LayerNorm normalises across its last dim: removing channels changes the others (inexact).
 *   <li>GroupNorm normalises across each group (inexact) and needs the same number of channels in
 *       every group, or whole groups removed.
 * </ul>
 */
final class NormRule implements OpRule {
  enum Kind { BATCH, LAYER, GROUP }

  private final Kind kind;

  NormRule(Kind kind) {
    this.kind = kind;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = ModuleCall.input(call);
    int channelDim = kind == Kind.LAYER ? in.rank() - 1 : in.rank() >= 2 ? 1 : 0;
    String weight = ModuleCall.param(call, "weight");
    if (kind == Kind.LAYER && pass.hasParameter(weight)
        && pass.parameterShape(weight).length() != 1) {
      throw new UnsupportedOpException(call, "LayerNorm over more than one dim ("
          + pass.parameterShape(weight) + ") is not supported");
    }
    int[] atoms = pass.channelAtoms(in, channelDim);
    List<String> affine = new ArrayList<>(List.of("weight", "bias"));
    for (String local : affine) {
      String name = ModuleCall.param(call, local);
      if (pass.hasParameter(name)) {
        for (int c = 0; c < atoms.length; c++) {
          pass.bind(name, 0, c, atoms[c], SliceRole.OUTPUT);
        }
      }
    }
    for (String local : List.of("running_mean", "running_var")) {
      String name = ModuleCall.param(call, local);
      if (pass.hasParameter(name)) {
        for (int c = 0; c < atoms.length; c++) {
          pass.bind(name, 0, c, atoms[c], SliceRole.STATE);
        }
      }
    }
    if (kind != Kind.BATCH) {
      String why = ModuleCall.type(call) + " " + call.modulePath()
          + " normalises across channels";
      for (int a : atoms) {
        pass.atoms.markInexact(a, why);
      }
    }
    if (kind == Kind.GROUP) {
      addGroupBlocks(call, pass, atoms);
    }
    pass.setLabels(call.outputTensor(),
        LabelPass.broadcastChannels(call.outputTensor().shape(), channelDim, atoms));
  }

  private static void addGroupBlocks(TracedCall call, LabelPass pass, int[] atoms) {
    int groups = numGroups(call, pass, atoms.length);
    int per = atoms.length / groups;
    List<int[]> blocks = new ArrayList<>();
    List<long[]> coords = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      int[] b = new int[per];
      System.arraycopy(atoms, g * per, b, 0, per);
      blocks.add(b);
      coords.add(new long[] {g});
    }
    pass.addBlocks("GroupNorm " + call.modulePath() + " (" + groups + " groups)", blocks, coords,
        BlockSpec.Kind.EQUAL_COUNT, true);
  }

  /** num_groups is not in the trace; the graph builder records it from the module's options. */
  private static int numGroups(TracedCall call, LabelPass pass, int channels) {
    Integer g = pass.groupNormGroups.get(call.modulePath());
    if (g == null) {
      throw new UnsupportedOpException(call, "GroupNorm without known num_groups");
    }
    return g;
  }
}
