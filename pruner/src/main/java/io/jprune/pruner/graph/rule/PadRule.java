package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.BitSet;

/**
 * {@code pad} / {@code constant_pad_nd}: {@code (left, right)} amounts for the last dims, last
 * first (negative amounts crop). An element copied from the input keeps its label. A padded element
 * belongs to the channel it borders when the padded dim is not a channel dim (spatial padding
 * before a concat, as UNets do); padding along a channel dim adds new channels, which are fixed.
 * The amounts never depend on channel counts, so nothing at the call site changes.
 *
 * <p>A constant other than 0 (or one the trace cannot read) lands in removed channels of the masked
 * original, so their removal is marked inexact; reflect, replicate and circular padding copy the
 * channel's own values.
 */
final class PadRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.outputTensor();
    Shape is = Shape.of(in.shape());
    Shape os = Shape.of(out.shape());
    long[] before = leftAmounts(call, is.rank());
    int[] il = pass.labels(in);
    boolean[] varies = channelDims(is, il, pass.atoms());
    boolean constantNonZero = constantMayBeNonZero(call);
    String why = call.op() + " with a non-zero constant at " + call.site().location();
    int[] ol = new int[os.numel()];
    for (int o = 0; o < os.numel(); o++) {
      long src = 0;
      boolean padded = false;
      boolean newChannel = false;
      for (int d = 0; d < os.rank(); d++) {
        long c = os.coord(o, d) - before[d];
        if (c < 0 || c >= is.dim(d)) {
          padded = true;
          newChannel |= varies[d];
          c = Math.max(0, Math.min(is.dim(d) - 1, c));
        }
        src += c * is.stride(d);
      }
      int l = il[(int) src];
      if (!padded) {
        ol[o] = l;
      } else if (newChannel || l == AtomTable.DERIVED) {
        ol[o] = AtomTable.FIXED;
      } else {
        ol[o] = l;
        if (constantNonZero) {
          pass.atoms().markInexact(l, why);
        }
      }
    }
    pass.setLabels(out, ol);
  }

  /** Copied elements that are removed (padded ones are never derived). */
  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    Shape is = Shape.of(in.shape());
    Shape os = Shape.of(call.outputTensor().shape());
    long[] before = leftAmounts(call, is.rank());
    BitSet im = pass.mask(in);
    BitSet m = new BitSet(os.numel());
    for (int o = 0; o < os.numel(); o++) {
      long src = 0;
      boolean inside = true;
      for (int d = 0; d < os.rank() && inside; d++) {
        long c = os.coord(o, d) - before[d];
        inside = c >= 0 && c < is.dim(d);
        src += c * is.stride(d);
      }
      if (inside && im.get((int) src)) {
        m.set(o);
      }
    }
    return m;
  }

  /** Padding before each dim, from the (left, right) pairs that start at the last dim. */
  private static long[] leftAmounts(TracedCall call, int rank) {
    long[] pads =
        call.args().stream()
            .filter(v -> v instanceof Value.LongArrayValue)
            .findFirst()
            .map(LayoutArgs::longs)
            .orElseThrow(() -> new UnsupportedOpException(call, "no padding amounts in the trace"));
    if (pads.length % 2 != 0 || pads.length / 2 > rank) {
      throw new UnsupportedOpException(
          call,
          "padding amounts "
              + java.util.Arrays.toString(pads)
              + " do not fit a tensor of rank "
              + rank);
    }
    long[] before = new long[rank];
    for (int k = 0; k < pads.length / 2; k++) {
      before[rank - 1 - k] = pads[2 * k];
    }
    return before;
  }

  /** Dims along which neighbouring elements hold different atoms: the channel dims. */
  private static boolean[] channelDims(Shape s, int[] labels, AtomTable atoms) {
    boolean[] varies = new boolean[s.rank()];
    for (int i = 0; i < s.numel(); i++) {
      for (int d = 0; d < s.rank(); d++) {
        if (!varies[d] && s.coord(i, d) > 0) {
          int a = labels[i];
          int b = labels[(int) (i - s.stride(d))];
          varies[d] = (a < 0 ? a : atoms.find(a)) != (b < 0 ? b : atoms.find(b));
        }
      }
    }
    return varies;
  }

  private static boolean constantMayBeNonZero(TracedCall call) {
    boolean constantMode = true;
    Value value = null;
    for (Value v : call.args()) {
      if (v instanceof Value.TextValue t) {
        constantMode = t.text().equals("constant");
      } else if (v instanceof Value.ScalarValue
          || v instanceof Value.DoubleValue
          || v instanceof Value.OtherValue) {
        value = v;
      }
    }
    if (!constantMode) {
      return false;
    }
    if (value instanceof Value.ScalarValue s) {
      return s.value() != 0;
    }
    if (value instanceof Value.DoubleValue d) {
      return d.value() != 0;
    }
    return value != null; // a value the trace could not read
  }
}
