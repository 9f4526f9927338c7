package io.jprune.pruner.graph;


import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.SiteKind;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorArrayRef;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Exact index maps of layout ops: replays the recorded call, with its recorded arguments, on
 * int64 label tensors whose elements are their own (joint, row-major) input positions; each output
 * element then says which input element it came from. Whatever the op (reshape, permute, select,
 * split, cat, pixel_shuffle, ...), the map is the op's own behaviour, not a model of it.
 */
final class LabelReplay {
  /** Labels per traced output tensor, and the label offset of each input tensor. */
  record Labels(List<TensorRef> inputs, long[] offsets, List<long[]> outputs) {}

  private LabelReplay() {}

  static Labels replay(TracedCall call) {
    List<TensorRef> inputs = call.tensorInputs();
    long[] offsets = new long[inputs.size()];
    List<Tensor> labelTensors = new ArrayList<>();
    long next = 0;
    for (int i = 0; i < inputs.size(); i++) {
      offsets[i] = next;
      long n = inputs.get(i).numel();
      labelTensors.add(torch.arange(new Scalar(next), new Scalar(next + n),
          new TensorOptions(torch.ScalarType.Long)).reshape(inputs.get(i).shape().toArray()));
      next += n;
    }
    Object result = invoke(call, labelTensors);
    List<Tensor> outs = new ArrayList<>();
    if (result instanceof Tensor t) {
      outs.add(t);
    } else if (result instanceof TensorVector v) {
      for (long i = 0; i < v.size(); i++) {
        outs.add(v.get(i));
      }
    }
    List<TensorRef> traced = call.tensorOutputs();
    if (outs.size() != traced.size()) {
      throw new UnsupportedOpException(call, "replay gave " + outs.size() + " outputs, trace "
          + traced.size());
    }
    List<long[]> labels = new ArrayList<>();
    for (Tensor t : outs) {
      labels.add(read(t));
    }
    return new Labels(inputs, offsets, labels);
  }

  static long[] read(Tensor t) {
    Tensor c = t.contiguous();
    long[] out = new long[(int) c.numel()];
    new LongPointer(c.data_ptr_long()).get(out);
    return out;
  }

  private static Object invoke(TracedCall call, List<Tensor> labels) {
    if (call.kind() == SiteKind.MODULE_FORWARD) {
      // Built-in layout modules (Flatten, Unflatten, PixelShuffle, ...) all move elements exactly
      // like their functional forms, which the traced output shape pins down.
      return moduleEquivalent(call, labels.get(0));
    }
    Method m = find(call);
    Class<?>[] types = m.getParameterTypes();
    boolean instance = call.kind() == SiteKind.TENSOR_METHOD;
    Object receiver = instance ? labels.get(0) : null;
    int[] nextLabel = {instance ? 1 : 0};
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = convert(call, call.args().get(i), types[i], labels, nextLabel);
    }
    try {
      return m.invoke(receiver, args);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new UnsupportedOpException(call, "replay on labels failed: " + e.getCause());
    }
  }

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
    if (type.endsWith("FlattenImpl") || type.endsWith("UnflattenImpl")) {
      return label.reshape(out.shape().toArray());
    }
    throw new UnsupportedOpException(call, "no layout replay for module " + type);
  }

  private static Method find(TracedCall call) {
    String owner = call.site().targetOwner();
    Class<?> start = owner.endsWith(".torch") ? torch.class : Tensor.class;
    for (Class<?> c = start; c != null; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.getName().equals(call.site().targetName())
            && descriptor(m).equals(call.site().targetDescriptor())) {
          return m;
        }
      }
    }
    throw new UnsupportedOpException(call, "method not found for replay");
  }

  private static String descriptor(Method m) {
    return java.lang.invoke.MethodType.methodType(m.getReturnType(), m.getParameterTypes())
        .toMethodDescriptorString();
  }

  private static Object convert(TracedCall call, Value v, Class<?> type, List<Tensor> labels,
      int[] nextLabel) {
    if (v instanceof Value.TensorValue) {
      return labels.get(nextLabel[0]++);
    }
    if (v instanceof Value.TensorListValue l) {
      List<Tensor> ts = new ArrayList<>();
      for (int i = 0; i < l.tensors().size(); i++) {
        ts.add(labels.get(nextLabel[0]++));
      }
      TensorVector vec = new TensorVector(ts.toArray(new Tensor[0]));
      return type == TensorArrayRef.class ? new TensorArrayRef(vec) : vec;
    }
    if (v instanceof Value.LongValue l) {
      return type == int.class ? (Object) (int) l.value() : (Object) l.value();
    }
    if (v instanceof Value.LongArrayValue a) {
      long[] arr = a.values().toArray();
      return type == LongArrayRef.class ? new LongArrayRef(arr, arr.length) : arr;
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
    throw new UnsupportedOpException(call, "cannot replay argument " + v + " of type "
        + type.getSimpleName());
  }

}
