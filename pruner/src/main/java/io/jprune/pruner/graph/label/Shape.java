package io.jprune.pruner.graph.label;

import com.google.common.primitives.ImmutableLongArray;

/**
 * Row-major index arithmetic over one tensor shape: strides, coordinates and broadcasting. The
 * label and mask passes walk whole activations element by element, so this stays allocation-free.
 */
public final class Shape {
  private final long[] dims;
  private final long[] strides;
  private final int numel;

  /**
   * A shape of these dims.
   *
   * @throws IllegalArgumentException when it has more elements than an int index reaches
   */
  public Shape(long[] dims) {
    this.dims = dims.clone();
    this.strides = new long[dims.length];
    long acc = 1;
    for (int d = dims.length - 1; d >= 0; d--) {
      strides[d] = acc;
      acc *= dims[d];
    }
    if (acc > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + acc + " elements is too large to map");
    }
    this.numel = (int) acc;
  }

  /** The shape of a traced tensor. */
  public static Shape of(ImmutableLongArray dims) {
    return new Shape(dims.toArray());
  }

  /** Number of dims. */
  public int rank() {
    return dims.length;
  }

  /** Size of dim {@code d}. */
  public long dim(int d) {
    return dims[d];
  }

  /** Elements between consecutive indices of dim {@code d} (row-major). */
  public long stride(int d) {
    return strides[d];
  }

  /** Number of elements. */
  public int numel() {
    return numel;
  }

  /** A copy of the dims. */
  public long[] dims() {
    return dims.clone();
  }

  /**
   * A dim as a non-negative index ({@code -1} is the last).
   *
   * @throws IllegalArgumentException when it is out of range for this rank
   */
  public int normalize(long dim) {
    int d = (int) (dim < 0 ? dim + dims.length : dim);
    if (d < 0 || d >= dims.length) {
      throw new IllegalArgumentException("dim " + dim + " out of range for rank " + dims.length);
    }
    return d;
  }

  /** Coordinate of flat index {@code flat} along {@code dim}. */
  public long coord(int flat, int dim) {
    return (flat / strides[dim]) % dims[dim];
  }

  /**
   * For a tensor of this shape broadcast to {@code out} (trailing alignment), the flat index of
   * this tensor that feeds flat index {@code flatOut} of {@code out}.
   */
  public int broadcastSource(int flatOut, Shape out) {
    int offset = out.dims.length - dims.length;
    long src = 0;
    for (int d = 0; d < dims.length; d++) {
      if (dims[d] != 1) {
        src += out.coord(flatOut, d + offset) * strides[d];
      }
    }
    return (int) src;
  }

  /**
   * Whether this shape, broadcast to {@code out}, maps each flat index to itself: the same dims up
   * to leading 1s. Per-element callers check this once and skip {@link #broadcastSource}'s
   * divisions.
   */
  public boolean sameLayoutAs(Shape out) {
    if (this == out) {
      return true;
    }
    int offset = out.dims.length - dims.length;
    if (offset < 0) {
      return false;
    }
    for (int d = 0; d < offset; d++) {
      if (out.dims[d] != 1) {
        return false;
      }
    }
    for (int d = 0; d < dims.length; d++) {
      if (dims[d] != out.dims[d + offset]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return java.util.Arrays.toString(dims);
  }
}
