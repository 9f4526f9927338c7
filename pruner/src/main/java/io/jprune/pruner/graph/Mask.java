package io.jprune.pruner.graph;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableLongArray;
import java.util.BitSet;

/**
 * Which elements of a tensor (row-major) belong to the units being removed. Immutable; every
 * operation returns a new mask. Java-side bits are used rather than libtorch bool tensors: the
 * closure does many tiny operations, where a JNI round trip would cost more than the work.
 */
public final class Mask {
  private final long[] shape;
  private final long[] strides;
  private final int numel;
  private final BitSet bits;

  private Mask(long[] shape, BitSet bits) {
    this.shape = shape;
    this.strides = strides(shape);
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    checkArgument(n <= Integer.MAX_VALUE, "tensor of shape %s is too large for a mask",
        java.util.Arrays.toString(shape));
    this.numel = (int) n;
    this.bits = bits;
  }

  /** An all-false mask. */
  public static Mask empty(ImmutableLongArray shape) {
    return new Mask(shape.toArray(), new BitSet());
  }

  /** Marks indices {@code index} of dimension {@code dim}, everything along the other dims. */
  public static Mask slab(ImmutableLongArray shape, int dim, long[] indices) {
    Mask m = empty(shape);
    boolean[] chosen = new boolean[(int) m.shape[dim]];
    for (long idx : indices) {
      checkArgument(idx >= 0 && idx < chosen.length, "index %s out of range for dim %s of %s",
          idx, dim, shape);
      chosen[(int) idx] = true;
    }
    for (int i = 0; i < m.numel; i++) {
      if (chosen[(int) ((i / m.strides[dim]) % m.shape[dim])]) {
        m.bits.set(i);
      }
    }
    return m;
  }

  public ImmutableLongArray shape() {
    return ImmutableLongArray.copyOf(shape);
  }

  public int rank() {
    return shape.length;
  }

  public int numel() {
    return numel;
  }

  public boolean isEmpty() {
    return bits.isEmpty();
  }

  public boolean isFull() {
    return bits.cardinality() == numel;
  }

  public int cardinality() {
    return bits.cardinality();
  }

  public boolean get(int flat) {
    return bits.get(flat);
  }

  /** Union. */
  public Mask or(Mask other) {
    checkArgument(java.util.Arrays.equals(shape, other.shape), "mask shapes differ: %s vs %s",
        shape(), other.shape());
    BitSet b = (BitSet) bits.clone();
    b.or(other.bits);
    return new Mask(shape, b);
  }

  /** Whether every bit of this mask is also set in {@code other}. */
  public boolean subsetOf(Mask other) {
    BitSet b = (BitSet) bits.clone();
    b.andNot(other.bits);
    return b.isEmpty();
  }

  /**
   * Broadcasts this mask to {@code target} (numpy rules, aligned at the trailing dims): an
   * element feeds every output element it is broadcast to.
   */
  public Mask broadcastTo(ImmutableLongArray target) {
    long[] t = target.toArray();
    checkArgument(t.length >= shape.length, "cannot broadcast %s to %s", shape(), target);
    int offset = t.length - shape.length;
    for (int d = 0; d < shape.length; d++) {
      checkArgument(shape[d] == t[d + offset] || shape[d] == 1, "cannot broadcast %s to %s",
          shape(), target);
    }
    long[] tStrides = strides(t);
    Mask out = new Mask(t, new BitSet());
    for (int i = 0; i < out.numel; i++) {
      if (bits.get(sourceIndex(i, t, tStrides, offset))) {
        out.bits.set(i);
      }
    }
    return out;
  }

  /**
   * The inverse of {@link #broadcastTo} under "all" semantics: an element of a tensor of shape
   * {@code source} is removed when every element it was broadcast to is removed.
   */
  public Mask reduceAllTo(ImmutableLongArray source) {
    long[] s = source.toArray();
    int offset = shape.length - s.length;
    checkArgument(offset >= 0, "cannot reduce %s to %s", shape(), source);
    Mask out = new Mask(s, new BitSet());
    if (out.numel == 0) {
      return out;
    }
    int[] total = new int[out.numel];
    int[] set = new int[out.numel];
    for (int i = 0; i < numel; i++) {
      int j = sourceIndex(i, shape, strides, offset, s, out.strides);
      total[j]++;
      if (bits.get(i)) {
        set[j]++;
      }
    }
    for (int j = 0; j < out.numel; j++) {
      if (total[j] > 0 && set[j] == total[j]) {
        out.bits.set(j);
      }
    }
    return out;
  }

  /** Reduces dimension {@code dim} with "all" and keeps it as size 1. */
  public Mask allAlong(int dim) {
    long[] s = shape.clone();
    s[dim] = 1;
    return reduceAllTo(ImmutableLongArray.copyOf(s));
  }

  /** Moves elements: output element {@code i} comes from input element {@code labels[i]}. */
  public Mask gather(long[] labels, ImmutableLongArray outShape) {
    Mask out = new Mask(outShape.toArray(), new BitSet());
    for (int i = 0; i < labels.length; i++) {
      if (bits.get((int) labels[i])) {
        out.bits.set(i);
      }
    }
    return out;
  }

  /**
   * The input-side mask of a layout op whose output element {@code i} came from input element
   * {@code labels[i] - offset} (for inputs concatenated in one label space): an input element is
   * removed when every output element that came from it is removed.
   */
  public Mask scatterAll(long[] labels, long offset, ImmutableLongArray inShape) {
    Mask in = new Mask(inShape.toArray(), new BitSet());
    int[] total = new int[in.numel];
    int[] set = new int[in.numel];
    for (int i = 0; i < labels.length; i++) {
      long j = labels[i] - offset;
      if (j >= 0 && j < in.numel) {
        total[(int) j]++;
        if (bits.get(i)) {
          set[(int) j]++;
        }
      }
    }
    for (int j = 0; j < in.numel; j++) {
      if (total[j] > 0 && set[j] == total[j]) {
        in.bits.set(j);
      }
    }
    return in;
  }

  /** Indices of {@code dim} whose whole slab is removed. */
  public long[] fullSlabs(int dim) {
    boolean[] partial = new boolean[(int) shape[dim]];
    for (int i = 0; i < numel; i++) {
      if (!bits.get(i)) {
        partial[(int) ((i / strides[dim]) % shape[dim])] = true;
      }
    }
    return indicesWhere(partial, false);
  }

  /** Indices of {@code dim} with at least one removed element. */
  public long[] touchedSlabs(int dim) {
    boolean[] touched = new boolean[(int) shape[dim]];
    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
      touched[(int) ((i / strides[dim]) % shape[dim])] = true;
    }
    return indicesWhere(touched, true);
  }

  /** Whether this mask is exactly "these indices of {@code dim}, everything else along it". */
  public boolean isSlabsOf(int dim) {
    long[] full = fullSlabs(dim);
    return slabCount(full, dim) == bits.cardinality();
  }

  private long slabCount(long[] indices, int dim) {
    return indices.length * (numel / shape[dim]);
  }

  /** The smallest slab mask along {@code dim} containing this mask. */
  public Mask saturate(int dim) {
    return slab(shape(), dim, touchedSlabs(dim));
  }

  /** Number of elements {@link #saturate} would add. */
  public long saturationCost(int dim) {
    return slabCount(touchedSlabs(dim), dim) - bits.cardinality();
  }

  private static long[] indicesWhere(boolean[] flags, boolean value) {
    int n = 0;
    for (boolean f : flags) {
      if (f == value) {
        n++;
      }
    }
    long[] out = new long[n];
    int k = 0;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        out[k++] = i;
      }
    }
    return out;
  }

  private int sourceIndex(int flatTarget, long[] t, long[] tStrides, int offset) {
    int src = 0;
    for (int d = 0; d < shape.length; d++) {
      long coord = (flatTarget / tStrides[d + offset]) % t[d + offset];
      if (shape[d] != 1) {
        src += (int) (coord * strides[d]);
      }
    }
    return src;
  }

  private static int sourceIndex(int flat, long[] big, long[] bigStrides, int offset,
      long[] small, long[] smallStrides) {
    int src = 0;
    for (int d = 0; d < small.length; d++) {
      long coord = (flat / bigStrides[d + offset]) % big[d + offset];
      if (small[d] != 1) {
        src += (int) (coord * smallStrides[d]);
      }
    }
    return src;
  }

  private static long[] strides(long[] shape) {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= Math.max(shape[d], 1);
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Mask m && java.util.Arrays.equals(shape, m.shape) && bits.equals(m.bits);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(shape) * 31 + bits.hashCode();
  }

  @Override
  public String toString() {
    return "Mask" + shape() + "{" + bits.cardinality() + "/" + numel + "}";
  }
}
