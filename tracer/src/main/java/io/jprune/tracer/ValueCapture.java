package io.jprune.tracer;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.LongHeaderOnlyArrayRef;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorHeaderOnlyArrayRef;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;

/**
 * Turns the Java objects a call site passes or returns into {@link Value}s. Tensors go through a
 * function so that inputs and outputs get the right identity (latest ref vs. new version).
 */
final class ValueCapture {
  private final Function<Module, Value.ModuleValue> modules;

  ValueCapture(Function<Module, Value.ModuleValue> modules) {
    this.modules = modules;
  }

  /** The value of one argument, receiver or result. */
  Value capture(Object o, Function<TensorBase, TensorRef> tensors) {
    if (o == null) {
      return new Value.NullValue();
    }
    // plain tests in order, no Optional chain: this runs for every argument of every traced call
    Optional<Value> tensor = tensors(o, tensors);
    if (tensor.isPresent()) {
      return tensor.get();
    }
    Optional<Value> number = number(o);
    if (number.isPresent()) {
      return number.get();
    }
    Optional<long[]> longs = longArray(o);
    return longs.isPresent()
        ? new Value.LongArrayValue(ImmutableLongArray.copyOf(longs.get()))
        : other(o, tensors);
  }

  /** A tensor, a list of tensors, or an optional one. */
  private Optional<Value> tensors(Object o, Function<TensorBase, TensorRef> tensors) {
    if (o instanceof TensorBase t) {
      return Optional.of(
          t.defined() ? new Value.TensorValue(tensors.apply(t)) : new Value.NullValue());
    }
    if (o instanceof TensorVector v) {
      ImmutableList.Builder<TensorRef> b = ImmutableList.builder();
      for (long i = 0; i < v.size(); i++) {
        b.add(tensors.apply(v.get(i)));
      }
      return Optional.of(new Value.TensorListValue(b.build()));
    }
    if (o instanceof TensorHeaderOnlyArrayRef r) {
      ImmutableList.Builder<TensorRef> b = ImmutableList.builder();
      for (long i = 0; i < r.size(); i++) {
        b.add(tensors.apply(r.get(i)));
      }
      return Optional.of(new Value.TensorListValue(b.build()));
    }
    if (o instanceof TensorOptional opt) {
      return Optional.of(opt.has_value() ? capture(opt.get(), tensors) : new Value.NullValue());
    }
    return Optional.empty();
  }

  /** A Java number or boolean, an optional double, or a libtorch {@code Scalar}. */
  private static Optional<Value> number(Object o) {
    if (o instanceof DoubleOptional opt) {
      return Optional.of(
          opt.has_value() ? new Value.DoubleValue(opt.get()) : new Value.NullValue());
    }
    if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
      return Optional.of(new Value.LongValue(((Number) o).longValue()));
    }
    if (o instanceof Double || o instanceof Float) {
      return Optional.of(new Value.DoubleValue(((Number) o).doubleValue()));
    }
    if (o instanceof Boolean b) {
      return Optional.of(new Value.BooleanValue(b));
    }
    if (o instanceof Scalar s) {
      boolean integral = s.isIntegral(false);
      return Optional.of(
          new Value.ScalarValue(integral ? (double) s.toLong() : s.toDouble(), integral));
    }
    return Optional.empty();
  }

  /** The longs of a Java array, an {@code IntArrayRef}-like view or a {@code LongVector}. */
  private static Optional<long[]> longArray(Object o) {
    if (o instanceof long[] a) {
      return Optional.of(a);
    }
    if (o instanceof int[] a) {
      return Optional.of(Arrays.stream(a).asLongStream().toArray());
    }
    if (o instanceof LongHeaderOnlyArrayRef r) {
      long[] a = new long[(int) r.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.get(i);
      }
      return Optional.of(a);
    }
    if (o instanceof LongArrayRef r) {
      long[] a = new long[(int) r.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = r.get(i);
      }
      return Optional.of(a);
    }
    if (o instanceof LongVector v) {
      return Optional.of(v.get());
    }
    return Optional.empty();
  }

  /** A module, a text, a tuple of tensors, or anything else (recorded by type name only). */
  private Value other(Object o, Function<TensorBase, TensorRef> tensors) {
    if (o instanceof Module m) {
      return modules.apply(m);
    }
    if (o instanceof String || o instanceof Enum<?>) {
      return new Value.TextValue(o.toString());
    }
    if (o instanceof BytePointer p) {
      return new Value.TextValue(p.isNull() ? "" : p.getString());
    }
    if (isTuple(o.getClass())) {
      return tupleTensors(o, tensors);
    }
    return new Value.OtherValue(o.getClass().getSimpleName(), "");
  }

  /** JavaCPP's std::tuple classes: {@code T_TensorTensor_T} and the like, with get0(), get1()... */
  private static boolean isTuple(Class<?> type) {
    String name = type.getSimpleName();
    return type.getPackageName().equals("org.bytedeco.pytorch")
        && name.startsWith("T_")
        && name.endsWith("_T");
  }

  /**
   * The defined tensors of a tuple (e.g. MultiheadAttention's output and weights), in element
   * order, so that what the model reads out of it with {@code get0()} is a traced tensor; its other
   * elements are not recorded.
   */
  private static Value tupleTensors(Object tuple, Function<TensorBase, TensorRef> tensors) {
    ImmutableList.Builder<TensorRef> b = ImmutableList.builder();
    addTupleTensors(tuple, tensors, b);
    return new Value.TensorListValue(b.build());
  }

  /** Nested tuples (an LSTM's output and (h, c)) are flattened in element order. */
  private static void addTupleTensors(
      Object tuple, Function<TensorBase, TensorRef> tensors, ImmutableList.Builder<TensorRef> b) {
    for (int i = 0; ; i++) {
      Method get;
      try {
        get = tuple.getClass().getMethod("get" + i);
      } catch (NoSuchMethodException e) {
        break;
      }
      Class<?> type = get.getReturnType();
      if (!TensorBase.class.isAssignableFrom(type) && !isTuple(type)) {
        continue;
      }
      Object element;
      try {
        element = get.invoke(tuple);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(
            "cannot read element " + i + " of " + tuple.getClass().getSimpleName(), e);
      }
      if (element instanceof TensorBase t) {
        if (t.defined()) {
          b.add(tensors.apply(t));
        }
      } else if (element != null) {
        addTupleTensors(element, tensors, b);
      }
    }
  }
}
