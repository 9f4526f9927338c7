package io.jprune.pruner.graph.label;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Whether the kept elements of a tensor form a dense tensor, and of which shape. Kept elements
 * listed in row-major order are what the pruned tensor holds, so along every dim each kept slab
 * must have the same inner shape ("nested regular"): heads may drop different channels, but the
 * same number each.
 */
public final class DenseLayout {
  private DenseLayout() {}

  /** The dense shape of the kept elements, or null when they are not dense. */
  public static long[] compress(Shape shape, BitSet removed) {
    if (removed.isEmpty()) {
      return shape.dims();
    }
    if (removed.cardinality() == shape.numel()) {
      long[] zero = shape.dims();
      zero[0] = 0;
      return zero;
    }
    return compress(shape, removed, 0, 0);
  }

  private static long[] compress(Shape shape, BitSet removed, int dim, int start) {
    if (dim == shape.rank()) {
      return new long[0];
    }
    int stride = (int) shape.stride(dim);
    if (dim == shape.rank() - 1) {
      // innermost dim: every kept element's inner shape is [], so only the count matters
      int end = start + (int) shape.dim(dim);
      long kept = end - start;
      for (int b = removed.nextSetBit(start); b >= 0 && b < end; b = removed.nextSetBit(b + 1)) {
        kept--;
      }
      return new long[] {kept};
    }
    long[] inner = null;
    long kept = 0;
    for (long j = 0; j < shape.dim(dim); j++) {
      int from = start + (int) j * stride;
      if (removed.nextClearBit(from) >= from + stride) {
        continue; // the whole slab is gone
      }
      long[] sub = compress(shape, removed, dim + 1, from);
      if (sub == null || inner != null && !Arrays.equals(inner, sub)) {
        return null;
      }
      inner = sub;
      kept++;
    }
    long[] out = new long[shape.rank() - dim];
    out[0] = kept;
    System.arraycopy(inner, 0, out, 1, inner.length);
    return out;
  }

  /** Position of each kept element in the pruned tensor; -1 for removed ones. */
  public static int[] keptPositions(int numel, BitSet removed) {
    int[] pos = new int[numel];
    int next = 0;
    for (int i = 0; i < numel; i++) {
      pos[i] = removed.get(i) ? -1 : next++;
    }
    return pos;
  }

  /** Indices along {@code dim} that keep at least one element. */
  public static long[] keptAlong(Shape shape, BitSet removed, int dim) {
    boolean[] kept = new boolean[(int) shape.dim(dim)];
    int stride = (int) shape.stride(dim);
    int block = stride * kept.length;
    // slab j of dim is a run of `stride` elements in every block of the dims before it
    for (int j = 0; j < kept.length; j++) {
      for (int from = j * stride; from < shape.numel() && !kept[j]; from += block) {
        kept[j] = removed.nextClearBit(from) < from + stride;
      }
    }
    int n = 0;
    for (boolean k : kept) {
      n += k ? 1 : 0;
    }
    long[] out = new long[n];
    for (int j = 0, k = 0; j < kept.length; j++) {
      if (kept[j]) {
        out[k++] = j;
      }
    }
    return out;
  }
}
