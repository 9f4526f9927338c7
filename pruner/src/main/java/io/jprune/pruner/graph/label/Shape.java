package io.jprune.pruner.graph.label;

import com.google.common.primitives.ImmutableLongArray;

/**
 * Row-major index arithmetic over one tensor shape: strides, coordinates and broadcasting. The
 * label and mask passes walk whole activations element by element, so this stays allocation-free.
 */
public final class Shape {
  public final long[] dims;
  public final long[] strides;
  public final int numel;

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

  public static Shape of(ImmutableLongArray dims) {
    return new Shape(dims.toArray());
  }

  public int rank() {
    return dims.length;
  }

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

  @Override
  public String toString() {
    return java.util.Arrays.toString(dims);
  }
}
