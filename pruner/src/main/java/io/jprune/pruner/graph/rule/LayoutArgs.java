package io.jprune.pruner.graph.rule;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.graph.label.DenseLayout;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.pruner.graph.refusal.PlanException;
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
  /** The argument changes of one layout op family; {@code first} is its first non-tensor arg. */
  @FunctionalInterface
  private interface Rewrite {
    List<ArgPatch> patches(TracedCall call, MaskPass pass, int first);
  }

  /** Layout ops whose arguments hold sizes or positions; every other op's args are kept. */
  private static final ImmutableMap<String, Rewrite> REWRITES =
      ImmutableMap.<String, Rewrite>builder()
          .put("reshape", LayoutArgs::targetShape)
          .put("view", LayoutArgs::targetShape)
          .put("expand", LayoutArgs::targetShape)
          .put("broadcast_to", LayoutArgs::targetShape)
          .put("unflatten", LayoutArgs::unflattenSizes)
          .put("narrow", LayoutArgs::startAndLength)
          .put("narrow_copy", LayoutArgs::startAndLength)
          .put("select", LayoutArgs::startAndLength)
          .put("split", LayoutArgs::splitSizes)
          .put("split_with_sizes", LayoutArgs::splitSizes)
          .put("slice", LayoutArgs::refuseSlice)
          .buildOrThrow();

  private LayoutArgs() {}

  /**
   * The call's argument changes under a removal, only those that change a value. Dims, counts and
   * factors (permute, cat, chunk, pixel_shuffle, ...) do not change.
   */
  static List<ArgPatch> patches(TracedCall call, MaskPass pass) {
    Rewrite rewrite = REWRITES.get(call.op());
    if (rewrite == null) {
      return new ArrayList<>();
    }
    List<ArgPatch> out = new ArrayList<>(rewrite.patches(call, pass, firstNonTensorArg(call)));
    out.removeIf(p -> !p.changes());
    return out;
  }

  /** {@code reshape(B, N, 3, 6, 64)} -> the pruned output shape; -1 stays -1. */
  private static List<ArgPatch> targetShape(TracedCall call, MaskPass pass, int first) {
    long[] shape = compressed(pass, call.outputTensor(), call);
    long[] old = longs(call.args().get(first));
    long[] now = shape.clone();
    for (int i = 0; i < old.length; i++) {
      if (old[i] == -1) {
        now[i] = -1;
      }
    }
    return List.of(array(first, old, now));
  }

  /** {@code unflatten(dim, sizes)}: the sizes are the pruned output's dims from {@code dim}. */
  private static List<ArgPatch> unflattenSizes(TracedCall call, MaskPass pass, int first) {
    long dim = longs(call.args().get(first))[0];
    TensorRef in = call.tensorInputs().get(0);
    int d = Shape.of(in.shape()).normalize(dim);
    long[] shape = compressed(pass, call.outputTensor(), call);
    long[] old = longs(call.args().get(first + 1));
    long[] now = new long[old.length];
    for (int i = 0; i < old.length; i++) {
      now[i] = old[i] == -1 ? -1 : shape[d + i];
    }
    return List.of(array(first + 1, old, now));
  }

  /**
   * {@code narrow(dim, start, length)}, {@code select(dim, index)}: the start counts the kept
   * positions before it (from the end when negative), the length is the pruned output's.
   */
  private static List<ArgPatch> startAndLength(TracedCall call, MaskPass pass, int first) {
    TensorRef in = call.tensorInputs().get(0);
    Shape s = Shape.of(in.shape());
    int d = s.normalize(longs(call.args().get(first))[0]);
    long start = longs(call.args().get(first + 1))[0];
    long startNorm = start < 0 ? start + s.dim(d) : start;
    long[] kept = DenseLayout.keptAlong(s, pass.mask(in), d);
    long before = 0;
    for (long k : kept) {
      before += k < startNorm ? 1 : 0;
    }
    List<ArgPatch> out = new ArrayList<>();
    out.add(scalar(first + 1, start, start < 0 ? before - kept.length : before));
    if (!call.op().equals("select")) {
      long length = longs(call.args().get(first + 2))[0];
      long now = compressed(pass, call.outputTensor(), call)[d];
      out.add(scalar(first + 2, length, now));
    }
    return out;
  }

  /** {@code split(size, dim)} and {@code split_with_sizes(sizes, dim)}: the pruned pieces. */
  private static List<ArgPatch> splitSizes(TracedCall call, MaskPass pass, int first) {
    TensorRef in = call.tensorInputs().get(0);
    int d =
        Shape.of(in.shape())
            .normalize(call.args().size() > first + 1 ? longs(call.args().get(first + 1))[0] : 0);
    Value sizes = call.args().get(first);
    if (sizes instanceof Value.LongValue l) {
      long now = compressed(pass, call.tensorOutputs().get(0), call)[d];
      return List.of(scalar(first, l.value(), now));
    }
    long[] old = longs(sizes);
    long[] now = new long[old.length];
    for (int k = 0; k < old.length; k++) {
      now[k] = compressed(pass, call.tensorOutputs().get(k), call)[d];
    }
    return List.of(array(first, old, now));
  }

  private static List<ArgPatch> refuseSlice(TracedCall call, MaskPass pass, int first) {
    throw new PlanException(
        "slice at "
            + call.site().location()
            + " touches pruned channels; use narrow, split or chunk for channel slicing");
  }

  private static ArgPatch array(int index, long[] before, long[] after) {
    return new ArgPatch(
        index, ImmutableLongArray.copyOf(before), ImmutableLongArray.copyOf(after), true);
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

  /**
   * The values of an int or int[] argument.
   *
   * @throws IllegalArgumentException when the argument is neither
   */
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
