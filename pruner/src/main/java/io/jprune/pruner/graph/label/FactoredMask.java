package io.jprune.pruner.graph.label;

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

  private FactoredMask(Labels labels, IntPredicate removed) {
    this.labels = labels;
    this.shape = labels.shape();
    this.dims = labels.varyingDims();
    this.removed = removed;
    this.words = new long[(shape.numel() + 63) / 64];
  }

  /** Removed elements of a tensor so labelled, when the atoms {@code removed} says go. */
  static BitSet of(Labels labels, IntPredicate removed) {
    FactoredMask m = new FactoredMask(labels, removed);
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
