package io.jprune.tracer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;

/** A recorded receiver, argument or result of a traced call. */
public sealed interface Value {

  /** A tensor. */
  record TensorValue(TensorRef tensor) implements Value {
    public TensorValue {
      checkNotNull(tensor, "tensor");
    }

    @Override
    public String toString() {
      return tensor.label();
    }
  }

  /** A TensorVector, TensorArrayRef or similar list, in order. */
  record TensorListValue(ImmutableList<TensorRef> tensors) implements Value {
    @Override
    public String toString() {
      return tensors.toString();
    }
  }

  /** A {@code long} or {@code int} argument (dims, sizes, counts). */
  record LongValue(long value) implements Value {
    @Override
    public String toString() {
      return Long.toString(value);
    }
  }

  /** A {@code long[]}, {@code long...} or LongArrayRef argument (shapes, dims lists). */
  record LongArrayValue(ImmutableLongArray values) implements Value {
    @Override
    public String toString() {
      return values.toString();
    }
  }

  /** A {@code double} or {@code float} argument. */
  record DoubleValue(double value) implements Value {
    @Override
    public String toString() {
      return Double.toString(value);
    }
  }

  /** A {@code boolean} argument. */
  record BooleanValue(boolean value) implements Value {
    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /** A libtorch Scalar; integral scalars keep their exact long value. */
  record ScalarValue(double value, boolean integral) implements Value {
    @Override
    public String toString() {
      return integral ? Long.toString((long) value) : Double.toString(value);
    }
  }

  /** A module, by its registered path in the root ("" for the root itself). */
  record ModuleValue(String path, String type) implements Value {
    @Override
    public String toString() {
      return type + "(" + (path.isEmpty() ? "<root>" : path) + ")";
    }
  }

  /** A Java string or enum constant. */
  record TextValue(String text) implements Value {
    @Override
    public String toString() {
      return '"' + text + '"';
    }
  }

  /** null, an empty optional, or a void result. */
  record NullValue() implements Value {
    @Override
    public String toString() {
      return "null";
    }
  }

  /** Anything else, by type name and description. */
  record OtherValue(String type, String text) implements Value {
    @Override
    public String toString() {
      return type + ":" + text;
    }
  }
}
