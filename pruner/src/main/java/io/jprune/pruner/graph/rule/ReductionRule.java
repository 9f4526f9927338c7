package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.BitSet;

/**
 * Reductions over dims (sum, mean, amax, ...): an output element couples its fiber when the whole
 * fiber is one channel (mean over tokens or space keeps channels); a fiber across channels gives a
 * derived element, which only a sum reduces exactly (a mean or max sees the removed zeros).
 *
 * <p>{@code max(dim)} and {@code min(dim)} return (values, indices) of one shape: both get the same
 * labels. Indices taken across channels count positions among the channels, which pruning
 * renumbers, so such a call is marked inexact like the values.
 */
final class ReductionRule implements OpRule {
  private final boolean zeroExact;

  /**
   * @param zeroExact whether removing zeros from a fiber leaves the result unchanged (sum)
   */
  ReductionRule(boolean zeroExact) {
    this.zeroExact = zeroExact;
  }

  /** For each input element, the output element its fiber reduces to. */
  private static int[] fiberOf(TracedCall call) {
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.tensorOutputs().get(0);
    Shape is = Shape.of(in.shape());
    Shape os = Shape.of(out.shape());
    boolean[] reduced = reducedDims(call, is, os);
    boolean keepdim = os.rank() == is.rank();
    long[] outStrides = new long[is.rank()];
    for (int d = 0, od = 0; d < is.rank(); d++) {
      if (reduced[d] && !keepdim) {
        continue;
      }
      outStrides[d] = reduced[d] ? 0 : os.stride(od);
      od++;
    }
    int[] fiber = new int[is.numel()];
    for (int i = 0; i < is.numel(); i++) {
      long o = 0;
      for (int d = 0; d < is.rank(); d++) {
        o += is.coord(i, d) * outStrides[d];
      }
      fiber[i] = (int) o;
    }
    return fiber;
  }

  private static boolean[] reducedDims(TracedCall call, Shape is, Shape os) {
    boolean[] reduced = new boolean[is.rank()];
    Value dims =
        call.args().stream()
            .filter(v -> v instanceof Value.LongArrayValue || v instanceof Value.LongValue)
            .findFirst()
            .orElse(null);
    if (dims == null || os.numel() == 1 && os.rank() == 0) {
      java.util.Arrays.fill(reduced, true);
    } else {
      for (long d : LayoutArgs.longs(dims)) {
        reduced[is.normalize(d)] = true;
      }
    }
    return reduced;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.tensorOutputs().get(0);
    int[] il = pass.labels(in);
    int[] fiber = fiberOf(call);
    int n = Shape.of(out.shape()).numel();
    int[] ol = new int[n];
    java.util.Arrays.fill(ol, Integer.MIN_VALUE);
    boolean[] mixed = new boolean[n];
    for (int i = 0; i < il.length; i++) {
      int o = fiber[i];
      int l = il[i] < 0 ? il[i] : pass.atoms().find(il[i]);
      if (ol[o] == Integer.MIN_VALUE) {
        ol[o] = l;
      } else if (ol[o] != l) {
        mixed[o] = true;
      }
    }
    String why = call.op() + " across channels at " + call.site().location();
    for (int i = 0; i < il.length; i++) {
      if (mixed[fiber[i]] && !zeroExact) {
        pass.atoms().markInexact(il[i], why);
      }
    }
    for (int o = 0; o < n; o++) {
      if (mixed[o]) {
        ol[o] = AtomTable.DERIVED;
      }
    }
    for (TensorRef o : call.tensorOutputs()) {
      pass.setLabels(o, ol.clone());
    }
  }

  /** A derived output is gone when its whole fiber is. */
  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    int n = Shape.of(call.tensorOutputs().get(output).shape()).numel();
    int[] fiber = fiberOf(call);
    BitSet im = pass.mask(in);
    BitSet kept = new BitSet(n);
    for (int i = 0; i < fiber.length; i++) {
      if (!im.get(i)) {
        kept.set(fiber[i]);
      }
    }
    BitSet m = new BitSet(n);
    m.set(0, n);
    m.andNot(kept);
    return m;
  }
}
