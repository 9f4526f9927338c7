package io.jprune.pruner.graph.label;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * The elements whose atom is removed, built from factored labels without visiting every element:
 * runs after the last varying dim are set whole, and the dims that do not vary (before, between and
 * after the varying ones) repeat a finished stretch of bits word by word.
 */
final class FactoredMask {
  private final Labels labels;
  private final Shape shape;
  private final int[] dims;
  private final IntPredicate removed;
  private final long[] words;

  private FactoredMask(Labels labels, IntPredicate removed, int bits) {
    this.labels = labels;
    this.shape = labels.shape();
    this.dims = labels.varyingDims();
    this.removed = removed;
    this.words = new long[(bits + 63) / 64];
  }

  /** Removed elements of a tensor so labelled, when the atoms {@code removed} says go. */
  static BitSet of(Labels labels, IntPredicate removed) {
    FactoredMask m = new FactoredMask(labels, removed, labels.shape().numel());
    int numel = m.shape.numel();
    if (numel == 0) {
      return new BitSet();
    }
    if (m.dims.length == 0) {
      BitSet all = new BitSet(numel);
      if (removed.test(labels.atom(0))) {
        all.set(0, numel);
      }
      return all;
    }
    int block = labels.blockLength();
    if (!m.fill(0, 0, 0)) {
      return new BitSet();
    }
    m.repeat(0, block, numel / block); // the dims before the first varying one
    return BitSet.valueOf(m.words);
  }

  /**
   * What {@link DenseLayout#compress} gives for {@link #of}'s mask, worked out on one element per
   * atom: along a dim the labels do not vary every slab is alike, so it keeps its size, and the
   * varying dims compress as the grid of atoms does. Null when the kept elements are not dense.
   */
  static long[] compressedShape(Labels labels, IntPredicate removed) {
    long[] out = labels.shape().dims();
    int atoms = labels.shape().numel() == 0 ? 0 : labels.size();
    BitSet gone = new BitSet(atoms);
    for (int j = 0; j < atoms; j++) {
      if (removed.test(labels.atom(j))) {
        gone.set(j);
      }
    }
    if (gone.isEmpty()) {
      return out;
    }
    if (gone.cardinality() == atoms) {
      out[0] = 0; // as DenseLayout.compress says it: everything removed
      return out;
    }
    int[] dims = labels.varyingDims();
    long[] sizes = new long[dims.length];
    for (int j = 0; j < dims.length; j++) {
      sizes[j] = out[dims[j]];
    }
    long[] kept = DenseLayout.compress(new Shape(sizes), gone);
    if (kept == null) {
      return null;
    }
    for (int j = 0; j < dims.length; j++) {
      out[dims[j]] = kept[j];
    }
    return out;
  }

  /**
   * The elements whose atom is kept, ascending (row-major flat indices): the complement of {@link
   * #of}, listed. Dims the labels do not vary along repeat a finished stretch of indices shifted by
   * their stride, so the cost is one write per kept element plus one test per atom.
   */
  static int[] kept(Labels labels, IntPredicate removed) {
    FactoredMask m = new FactoredMask(labels, removed, 0);
    int numel = m.shape.numel();
    if (numel == 0) {
      return new int[0];
    }
    int atoms = labels.size();
    int keptAtoms = 0;
    for (int j = 0; j < atoms; j++) {
      keptAtoms += removed.test(labels.atom(j)) ? 0 : 1;
    }
    int[] out = new int[keptAtoms * (numel / atoms)];
    if (m.dims.length == 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = i;
      }
      return out;
    }
    m.keep(out, 0, 0, 0, 0);
    return out;
  }

  /**
   * Writes the kept indices of the stretch of dim {@code d} at flat offset {@code base} (atom index
   * prefix {@code index} over the varying dims before it) into {@code out} from {@code at}; returns
   * where the next index goes.
   */
  private int keep(int[] out, int d, int base, int index, int at) {
    int size = (int) shape.dim(d);
    int stride = (int) shape.stride(d);
    int j = Arrays.binarySearch(dims, d);
    if (j < 0) {
      int start = at;
      at = keep(out, d + 1, base, index, at);
      int len = at - start;
      for (int c = 1; c < size; c++, at += len) {
        int shift = c * stride;
        for (int t = 0; t < len; t++) {
          out[at + t] = out[start + t] + shift;
        }
      }
      return at;
    }
    for (int c = 0; c < size; c++) {
      int from = base + c * stride;
      if (j < dims.length - 1) {
        at = keep(out, d + 1, from, index * size + c, at);
      } else if (!removed.test(labels.atom(index * size + c))) {
        for (int t = 0; t < stride; t++) {
          out[at++] = from + t;
        }
      }
    }
    return at;
  }

  /**
   * Fills the stretch of varying dim {@code j} at coordinate 0 of the dims before it ({@code from},
   * atom index prefix {@code index}); whether any bit was set.
   */
  private boolean fill(int j, int from, int index) {
    int d = dims[j];
    int size = (int) shape.dim(d);
    int stride = (int) shape.stride(d);
    boolean any = false;
    for (int c = 0; c < size; c++) {
      int at = from + c * stride;
      int idx = index * size + c;
      if (j == dims.length - 1) {
        if (removed.test(labels.atom(idx))) {
          setRange(at, at + stride);
          any = true;
        }
        continue;
      }
      int next = dims[j + 1];
      int seg = (int) (shape.dim(next) * shape.stride(next));
      if (fill(j + 1, at, idx)) {
        repeat(at, seg, stride / seg); // the dims between d and the next varying one
        any = true;
      }
    }
    return any;
  }

  /** Copies bits {@code [from, from + len)} to the {@code times - 1} stretches that follow. */
  private void repeat(int from, int len, int times) {
    if (times <= 1) {
      return;
    }
    long[] pattern = extract(from, len);
    for (int r = 1; r < times; r++) {
      orShifted(pattern, (long) from + (long) r * len);
    }
  }

  /** Bits {@code [from, from + len)} as words, bit 0 first. */
  private long[] extract(int from, int len) {
    long[] p = new long[(len + 63) / 64];
    for (int i = 0; i < p.length; i++) {
      long pos = (long) from + 64L * i;
      int w = (int) (pos >>> 6);
      int sh = (int) (pos & 63);
      long v = words[w] >>> sh;
      if (sh != 0 && w + 1 < words.length) {
        v |= words[w + 1] << (64 - sh);
      }
      int left = len - 64 * i;
      p[i] = left >= 64 ? v : v & ((1L << left) - 1);
    }
    return p;
  }

  private void setRange(int from, int to) {
    for (int i = from; i < to; ) {
      int w = i >>> 6;
      int bit = i & 63;
      int n = Math.min(64 - bit, to - i);
      words[w] |= (n == 64 ? -1L : ((1L << n) - 1)) << bit;
      i += n;
    }
  }

  /** ORs the bits of {@code pattern} into the words from bit {@code offset} on. */
  private void orShifted(long[] pattern, long offset) {
    int w = (int) (offset >>> 6);
    int shift = (int) (offset & 63);
    for (int i = 0; i < pattern.length; i++) {
      words[w + i] |= pattern[i] << shift;
      if (shift != 0 && w + i + 1 < words.length) {
        words[w + i + 1] |= pattern[i] >>> (64 - shift);
      }
    }
  }
}
