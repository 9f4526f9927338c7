package io.jprune.pruner.graph.rule;

import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.List;

/**
 * {@code max} and {@code min}: with one tensor they reduce (over all elements, or along a dim into
 * values and indices); with two they compare element-wise like {@code maximum}/{@code minimum}. The
 * overload decides, so both readings live here.
 */
final class ExtremumRule implements OpRule {
  private final OpRule reduction;
  private final OpRule elementwise;

  ExtremumRule(OpRule reduction, OpRule elementwise) {
    this.reduction = reduction;
    this.elementwise = elementwise;
  }

  private OpRule of(TracedCall call) {
    return call.tensorInputs().size() > 1 ? elementwise : reduction;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    of(call).propagate(call, pass);
  }

  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    return of(call).derivedMask(call, output, pass);
  }

  @Override
  public List<ArgPatch> patches(TracedCall call, MaskPass pass) {
    return of(call).patches(call, pass);
  }
}
