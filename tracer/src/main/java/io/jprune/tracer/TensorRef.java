package io.jprune.tracer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableLongArray;

/**
 * One value of a tensor seen during a trace. An in-place op ({@code relu_}, {@code add_}) or an op
 * that returns its input produces a new ref with the same {@link #implAddress} and a higher {@link
 * #version}, so every ref is written exactly once.
 *
 * @param id session-local id, dense from 0 in order of first sight
 * @param implAddress address of the libtorch TensorImpl (kept alive by the session)
 * @param version 0 for the first value at this address, +1 for each op that returned it again
 * @param shape sizes at the time it was seen
 * @param dtype libtorch scalar type name, e.g. {@code Float}
 * @param device device type, e.g. {@code cpu} or {@code cuda:0}
 * @param origin where it came from
 * @param name registered name for parameters and buffers of the root module, else null
 * @param producer index of the call that produced it, or -1
 */
public record TensorRef(
    int id,
    long implAddress,
    int version,
    ImmutableLongArray shape,
    String dtype,
    String device,
    TensorOrigin origin,
    String name,
    int producer) {

  public TensorRef {
    checkNotNull(shape, "shape");
    checkNotNull(origin, "origin");
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length();
  }

  /** Size of dimension {@code dim}; negative dims count from the end as in libtorch. */
  public long size(int dim) {
    return shape.get(dim < 0 ? dim + shape.length() : dim);
  }

  /** Number of elements. */
  public long numel() {
    long n = 1;
    for (int i = 0; i < shape.length(); i++) {
      n *= shape.get(i);
    }
    return n;
  }

  /** {@code t12[1, 197, 384]} or {@code cls_token[1, 1, 384]}. */
  public String label() {
    String dims = shape.toString();
    return (name != null ? name : "t" + id) + dims;
  }

  @Override
  public String toString() {
    return label();
  }
}
