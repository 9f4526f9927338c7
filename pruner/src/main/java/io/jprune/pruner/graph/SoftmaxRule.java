package io.jprune.pruner.graph;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

/**
 * softmax / log_softmax along a dim: shape-preserving, each element follows its input element; when
 * the dim runs across channels, removing some changes the others (inexact). Within one channel the
 * removal is inexact too: the masked original's zeros become 1/n there, which its consumers read.
 */
final class SoftmaxRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    int[] il = pass.labels(in);
    Shape s = Shape.of(in.shape());
    int dim =
        s.normalize(
            call.args().stream()
                .filter(v -> v instanceof Value.LongValue)
                .map(v -> ((Value.LongValue) v).value())
                .findFirst()
                .orElse(-1L));
    for (int i = 0; i < il.length; i++) {
      if (s.coord(i, dim) != 0) {
        continue;
      }
      Set<Integer> fiber = new HashSet<>();
      for (int j = 0; j < s.dims[dim]; j++) {
        int l = il[i + j * (int) s.strides[dim]];
        fiber.add(l < 0 ? l : pass.atoms.find(l));
      }
      if (fiber.size() > 1) {
        for (int a : fiber) {
          pass.atoms.markInexact(a, call.op() + " across channels at " + call.site().location());
        }
      }
      for (int a : fiber) {
        // a removed channel's zeros come out as 1/n (log: -log n) in the masked original
        pass.atoms.markInexact(a, call.op() + " maps 0 to non-zero at " + call.site().location());
      }
    }
    pass.setLabels(call.outputTensor(), il.clone());
  }

  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    return (BitSet) pass.mask(call.tensorInputs().get(0)).clone();
  }
}
