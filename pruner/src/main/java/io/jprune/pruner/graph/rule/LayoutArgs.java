package io.jprune.pruner.graph.rule;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.graph.PlanException;
import io.jprune.pruner.graph.label.DenseLayout;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Which arguments of a layout op hold sizes or positions, and their values after pruning. {@code
 * reshape(B, N, 3, 6, 64)} becomes {@code reshape(B, N, 3, 6, 48)}; {@code narrow(1, 64, 64)}
 * becomes {@code narrow(1, 48, 48)}; ops whose arguments are dims or counts need nothing.
 */
public final class LayoutArgs {
  private LayoutArgs() {}

  static List<ArgPatch> patches(TracedCall call, MaskPass pass) {
    List<ArgPatch> out = new ArrayList<>();
    int first = firstNonTensorArg(call);
    switch (call.op()) {
      case "reshape", "view", "expand", "broadcast_to" -> {
        long[] shape = compressed(pass, call.outputTensor(), call);
        long[] old = longs(call.args().get(first));
        long[] now = shape.clone();
        for (int i = 0; i < old.length; i++) {
          if (old[i] == -1) {
            now[i] = -1;
          }
        }
        out.add(
            new ArgPatch(
                first, ImmutableLongArray.copyOf(old), ImmutableLongArray.copyOf(now), true));
      }
      case "unflatten" -> {
        long dim = longs(call.args().get(first))[0];
        TensorRef in = call.tensorInputs().get(0);
        int d = Shape.of(in.shape()).normalize(dim);
        long[] shape = compressed(pass, call.outputTensor(), call);
        long[] old = longs(call.args().get(first + 1));
        long[] now = new long[old.length];
        for (int i = 0; i < old.length; i++) {
          now[i] = old[i] == -1 ? -1 : shape[d + i];
        }
        out.add(
            new ArgPatch(
                first + 1, ImmutableLongArray.copyOf(old), ImmutableLongArray.copyOf(now), true));
      }
      case "narrow", "narrow_copy", "select" -> {
        TensorRef in = call.tensorInputs().get(0);
        Shape s = Shape.of(in.shape());
        int d = s.normalize(longs(call.args().get(first))[0]);
        long start = longs(call.args().get(first + 1))[0];
        long startNorm = start < 0 ? start + s.dims[d] : start;
        long[] kept = DenseLayout.keptAlong(s, pass.mask(in), d);
        long before = 0;
        for (long k : kept) {
          before += k < startNorm ? 1 : 0;
        }
        out.add(scalar(first + 1, start, start < 0 ? before - kept.length : before));
        if (!call.op().equals("select")) {
          long length = longs(call.args().get(first + 2))[0];
          long now = compressed(pass, call.outputTensor(), call)[d];
          out.add(scalar(first + 2, length, now));
        }
      }
      case "split", "split_with_sizes" -> {
        TensorRef in = call.tensorInputs().get(0);
        int d =
            Shape.of(in.shape())
                .normalize(
                    call.args().size() > first + 1 ? longs(call.args().get(first + 1))[0] : 0);
        Value sizes = call.args().get(first);
        if (sizes instanceof Value.LongValue l) {
          long now = compressed(pass, call.tensorOutputs().get(0), call)[d];
          out.add(scalar(first, l.value(), now));
        } else {
          long[] old = longs(sizes);
          long[] now = new long[old.length];
          for (int k = 0; k < old.length; k++) {
            now[k] = compressed(pass, call.tensorOutputs().get(k), call)[d];
          }
          out.add(
              new ArgPatch(
                  first, ImmutableLongArray.copyOf(old), ImmutableLongArray.copyOf(now), true));
        }
      }
      case "slice" ->
          throw new PlanException(
              "slice at "
                  + call.site().location()
                  + " touches pruned channels; use narrow, split or chunk for channel slicing");
      default -> {
        // dims, counts and factors (permute, cat, chunk, pixel_shuffle, ...) do not change
      }
    }
    out.removeIf(p -> !p.changes());
    return out;
  }

  private static ArgPatch scalar(int index, long before, long after) {
    return new ArgPatch(index, ImmutableLongArray.of(before), ImmutableLongArray.of(after), false);
  }

  private static long[] compressed(MaskPass pass, TensorRef t, TracedCall call) {
    long[] s = pass.compressedShape(t);
    if (s == null) {
      throw PlanException.irregular(t, call);
    }
    return s;
  }

  private static int firstNonTensorArg(TracedCall call) {
    int i = 0;
    while (i < call.args().size()
        && (call.args().get(i) instanceof Value.TensorValue
            || call.args().get(i) instanceof Value.TensorListValue)) {
      i++;
    }
    return i;
  }

  public static long[] longs(Value v) {
    if (v instanceof Value.LongValue l) {
      return new long[] {l.value()};
    }
    if (v instanceof Value.LongArrayValue a) {
      return a.values().toArray();
    }
    throw new IllegalArgumentException("expected a long or long[] argument, got " + v);
  }

  /** The call's arguments with patches applied. */
  static List<Value> apply(List<Value> args, List<ArgPatch> patches) {
    List<Value> out = new ArrayList<>(args);
    for (ArgPatch p : patches) {
      out.set(
          p.argIndex(),
          p.array() ? new Value.LongArrayValue(p.after()) : new Value.LongValue(p.after().get(0)));
    }
    return ImmutableList.copyOf(out);
  }
}
