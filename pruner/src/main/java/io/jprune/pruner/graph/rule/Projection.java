package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.group.SliceRole;
import io.jprune.tracer.TensorRef;

/**
 * {@code y = x W^T + b} (LinearImpl, functional {@code linear}) or {@code y = x W} (matmul with a
 * registered 2-D parameter): input channel i, the last dim of x, is slice i of the weight along
 * {@code inDim}; each output feature is a new channel owning the weight's slice along the other dim
 * and bias entry o.
 */
final class Projection {
  private Projection() {}

  static void propagate(
      LabelPass pass, TensorRef in, TensorRef out, String weight, int inDim, String bias) {
    int[] inAtoms = pass.channelAtoms(in, in.rank() - 1);
    for (int i = 0; i < inAtoms.length; i++) {
      pass.bind(weight, inDim, i, inAtoms[i], SliceRole.INPUT);
    }
    int[] outAtoms = pass.freshAtoms((int) out.size(-1));
    pass.bindProducer(weight, 1 - inDim, bias, outAtoms);
    pass.setChannels(out, out.rank() - 1, outAtoms);
  }
}
