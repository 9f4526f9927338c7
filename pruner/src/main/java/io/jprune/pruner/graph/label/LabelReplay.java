package io.jprune.pruner.graph.label;

import io.jprune.pruner.cut.OwnedLongArrayRef;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.SiteKind;
import java.lang.ref.Reference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Exact index maps of layout ops: replays the recorded call, with its recorded arguments, on int64
 * label tensors whose elements are their own (joint, row-major) input positions; each output
 * element then says which input element it came from. Whatever the op (reshape, permute, select,
 * split, cat, pixel_shuffle, ...), the map is the op's own behaviour, not a model of it.
 *
 * <p>The same replay on the pruned input shapes with the rewritten arguments proves that the pruned
 * op computes the kept part of the original.
 */
public final class LabelReplay {
  /**
   * Where each output element came from.
   *
   * @param offsets label offset of each tensor input (inputs share one label space)
   * @param outputs per output, the input position of each of its elements
   * @param outputShapes per output, its shape
   */
  public record Labels(long[] offsets, List<int[]> outputs, List<long[]> outputShapes) {}

  private static final Map<String, Method> METHODS = new ConcurrentHashMap<>();

  private LabelReplay() {}

  /** Replays with the traced shapes and arguments. */
  public static Labels replay(TracedCall call) {
    List<long[]> shapes = new ArrayList<>();
    for (TensorRef t : call.tensorInputs()) {
      shapes.add(t.shape().toArray());
    }
    Labels labels = replay(call, shapes, call.args());
    if (labels.outputs().size() != call.tensorOutputs().size()) {
      throw new UnsupportedOpException(
          call,
          "replay gave "
              + labels.outputs().size()
              + " outputs, the trace "
              + call.tensorOutputs().size());
    }
    return labels;
  }

  /** Replays on inputs of the given shapes with the given arguments (tensors replaced). */
  public static Labels replay(TracedCall call, List<long[]> inputShapes, List<Value> args) {
    return replay(call, inputShapes, null, args);
  }

  /**
   * Replays on inputs of the given shapes whose elements are the given values (row-major, one array
   * per input) instead of their own positions: each output element then holds the value of the
   * input element it copied. {@code values} null means positions.
   */
  public static Labels replay(
      TracedCall call, List<long[]> inputShapes, List<int[]> values, List<Value> args) {
    // Every tensor made here is released on return, not when the GC gets to it: replays run for
    // each layout call of each removal, and native memory left to the GC is fresh pages each time.
    List<Pointer> made = new ArrayList<>();
    try {
      long[] offsets = new long[inputShapes.size()];
      List<Tensor> labelTensors = new ArrayList<>();
      long next = 0;
      for (int i = 0; i < inputShapes.size(); i++) {
        offsets[i] = next;
        long n = 1;
        for (long d : inputShapes.get(i)) {
          n *= d;
        }
        Tensor flat = made(made, values == null ? positions(next, n) : valued(values.get(i), n));
        labelTensors.add(made(made, flat.reshape(inputShapes.get(i))));
        next += n;
      }
      List<Tensor> outs = outputs(invoke(call, labelTensors, args), made);
      List<int[]> positions = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (Tensor t : outs) {
        positions.add(read(made(made, t.contiguous()), values != null));
        long[] s = new long[(int) t.dim()];
        for (int d = 0; d < s.length; d++) {
          s[d] = t.size(d);
        }
        shapes.add(s);
      }
      return new Labels(offsets, positions, shapes);
    } finally {
      for (Pointer p : made) {
        p.close();
      }
    }
  }

  /**
   * Runs the call on these input tensors and arguments; its tensor results, in order, owned by the
   * caller (left to the GC, unlike {@link #replay}'s).
   */
  static List<Tensor> run(TracedCall call, List<Tensor> inputs, List<Value> args) {
    return outputs(invoke(call, inputs, args), new ArrayList<>());
  }

  private static <T extends Pointer> T made(List<Pointer> made, T p) {
    made.add(p);
    return p;
  }

  private static List<Tensor> outputs(Object result, List<Pointer> made) {
    List<Tensor> outs = new ArrayList<>();
    if (result instanceof Tensor t) {
      outs.add(made(made, t));
    } else if (result instanceof TensorVector v) {
      for (long i = 0; i < v.size(); i++) {
        // get(i) is a view into v, which the GC may free: an owning copy
        outs.add(made(made, new Tensor(v.get(i))));
      }
      made.add(v);
    }
    return outs;
  }

  private static Tensor positions(long from, long n) {
    return torch.arange(
        new Scalar(from), new Scalar(from + n), new TensorOptions(torch.ScalarType.Long));
  }

  /** Values as int32: half the copying of int64, and layout ops move any dtype alike. */
  private static Tensor valued(int[] values, long n) {
    if (values.length != n) {
      throw new IllegalArgumentException(values.length + " values for " + n + " elements");
    }
    Tensor t =
        torch.empty(
            new long[] {n}, new TensorOptions(torch.ScalarType.Int), new MemoryFormatOptional());
    if (n > 0) {
      new IntPointer(t.data_ptr_int()).capacity(n).put(values);
    }
    Reference.reachabilityFence(t); // owns the memory just written
    return t;
  }

  /** The elements of a contiguous tensor, as ints. */
  private static int[] read(Tensor c, boolean int32) {
    if (int32) {
      int[] ints = new int[(int) c.numel()];
      if (ints.length > 0) {
        new IntPointer(c.data_ptr_int()).capacity(ints.length).get(ints);
      }
      Reference.reachabilityFence(c); // owns the memory just read
      return ints;
    }
    long[] longs = new long[(int) c.numel()];
    if (longs.length > 0) {
      new LongPointer(c.data_ptr_long()).capacity(longs.length).get(longs);
    }
    Reference.reachabilityFence(c); // owns the memory just read
    int[] out = new int[longs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) longs[i];
    }
    return out;
  }

  private static Object invoke(TracedCall call, List<Tensor> labels, List<Value> argValues) {
    if (call.kind() == SiteKind.MODULE_FORWARD) {
      return moduleEquivalent(call, labels.get(0));
    }
    Method m = find(call);
    Class<?>[] types = m.getParameterTypes();
    boolean instance = call.kind() == SiteKind.TENSOR_METHOD;
    Object receiver = instance ? labels.get(0) : null;
    int[] nextLabel = {instance ? 1 : 0};
    Object[] args = new Object[types.length];
    List<Object> owners = new ArrayList<>();
    for (int i = 0; i < types.length; i++) {
      args[i] = convert(call, argValues.get(i), types[i], labels, nextLabel, owners);
    }
    try {
      return m.invoke(receiver, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new UnsupportedOpException(call, "replay on labels failed: " + e.getCause());
    } finally {
      Reference.reachabilityFence(owners); // the vectors TensorArrayRef arguments point into
    }
  }

  /** Built-in layout modules move elements exactly like their functional forms. */
  private static Object moduleEquivalent(TracedCall call, Tensor label) {
    String type = call.moduleType();
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.outputTensor();
    if (type.endsWith("PixelShuffleImpl")) {
      return torch.pixel_shuffle(label, out.size(-1) / in.size(-1));
    }
    if (type.endsWith("PixelUnshuffleImpl")) {
      return torch.pixel_unshuffle(label, in.size(-1) / out.size(-1));
    }
    if (type.endsWith("FlattenImpl")) {
      // nn::Flatten's defaults (start_dim 1, end_dim -1); other options are checked against the
      // traced output shape by the caller's replay of the traced call.
      return label.flatten(1, -1);
    }
    throw new UnsupportedOpException(call, "no layout replay for module " + type);
  }

  private static Method find(TracedCall call) {
    String key =
        call.site().targetOwner() + "." + call.site().targetName() + call.site().targetDescriptor();
    return METHODS.computeIfAbsent(
        key,
        k -> {
          Class<?> start =
              call.site().targetOwner().endsWith(".torch") ? torch.class : Tensor.class;
          for (Class<?> c = start; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
              if (m.getName().equals(call.site().targetName())
                  && descriptor(m).equals(call.site().targetDescriptor())) {
                return m;
              }
            }
          }
          throw new UnsupportedOpException(call, "method not found for replay");
        });
  }

  private static String descriptor(Method m) {
    return java.lang.invoke.MethodType.methodType(m.getReturnType(), m.getParameterTypes())
        .toMethodDescriptorString();
  }

  private static Object convert(
      TracedCall call,
      Value v,
      Class<?> type,
      List<Tensor> labels,
      int[] nextLabel,
      List<Object> owners) {
    if (v instanceof Value.TensorValue) {
      return labels.get(nextLabel[0]++);
    }
    if (v instanceof Value.TensorListValue l) {
      List<Tensor> ts = new ArrayList<>();
      for (int i = 0; i < l.tensors().size(); i++) {
        ts.add(labels.get(nextLabel[0]++));
      }
      TensorVector vec = new TensorVector(ts.toArray(new Tensor[0]));
      owners.add(vec);
      return type == TensorArrayRef.class ? new TensorArrayRef(vec) : vec;
    }
    if (v instanceof Value.LongValue l) {
      return type == int.class ? (Object) (int) l.value() : (Object) l.value();
    }
    if (v instanceof Value.LongArrayValue a) {
      long[] arr = a.values().toArray();
      return type == LongArrayRef.class ? OwnedLongArrayRef.of(arr) : arr;
    }
    if (v instanceof Value.BooleanValue b) {
      return b.value();
    }
    if (v instanceof Value.ScalarValue s) {
      return s.integral() ? new Scalar((long) s.value()) : new Scalar(s.value());
    }
    if (v instanceof Value.DoubleValue d) {
      return type == float.class ? (Object) (float) d.value() : (Object) d.value();
    }
    if (v instanceof Value.NullValue && !type.isPrimitive()) {
      return null;
    }
    throw new UnsupportedOpException(
        call, "cannot replay argument " + v + " of type " + type.getSimpleName());
  }
}
