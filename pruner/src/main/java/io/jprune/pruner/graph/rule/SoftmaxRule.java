package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.LabelWalk;
import io.jprune.pruner.graph.label.Labels;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
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
    Labels labels = pass.labelsOf(in);
    Shape s = Shape.of(in.shape());
    int dim =
        s.normalize(
            call.args().stream()
                .filter(v -> v instanceof Value.LongValue)
                .map(v -> ((Value.LongValue) v).value())
                .findFirst()
                .orElse(-1L));
    String across = call.op() + " across channels at " + call.site().location();
    String lost = call.op() + " maps 0 to non-zero at " + call.site().location();
    if (labels.variesAlong(dim)) {
      markFibers(pass, s, dim, labels.dense(), across, lost);
    } else {
      // every fiber holds one label: each position of the varying dims once
      LabelWalk w = LabelWalk.over(s, List.of(labels));
      for (int p = 0; p < w.positions(); p++, w.next()) {
        int l = labels.atom(w.index(0));
        pass.atoms().markInexact(l < 0 ? l : pass.atoms().find(l), lost);
      }
    }
    pass.setLabels(call.outputTensor(), labels);
  }

  /** Fibers along {@code dim} that mix channels make them inexact; any removal is inexact. */
  private static void markFibers(
      LabelPass pass, Shape s, int dim, int[] il, String across, String lost) {
    for (int i = 0; i < il.length; i++) {
      if (s.coord(i, dim) != 0) {
        continue;
      }
      Set<Integer> fiber = new HashSet<>();
      for (int j = 0; j < s.dim(dim); j++) {
        int l = il[i + j * (int) s.stride(dim)];
        fiber.add(l < 0 ? l : pass.atoms().find(l));
      }
      if (fiber.size() > 1) {
        for (int a : fiber) {
          pass.atoms().markInexact(a, across);
        }
      }
      for (int a : fiber) {
        // a removed channel's zeros come out as 1/n (log: -log n) in the masked original
        pass.atoms().markInexact(a, lost);
      }
    }
  }

  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    return (BitSet) pass.mask(call.tensorInputs().get(0)).clone();
  }
}
