package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Masks built from factored labels against a per-element reference over the dense view. */
class FactoredMaskTest {
  static Stream<Arguments> layouts() {
    return Stream.of(
        Arguments.of(new long[] {2, 3, 4, 5}, new int[] {1}), // NCHW channels
        Arguments.of(new long[] {1, 7, 6}, new int[] {2}), // tokens, channels last
        Arguments.of(new long[] {3, 1, 6, 5, 4}, new int[] {0, 2, 4}), // q/k/v after a permute
        Arguments.of(new long[] {2, 3, 5, 7}, new int[] {0, 3}), // non-varying dims between
        Arguments.of(new long[] {5, 13}, new int[] {0, 1}), // dense, odd sizes across words
        Arguments.of(new long[] {3, 70}, new int[] {0}), // runs across word boundaries
        Arguments.of(new long[] {4, 3}, new int[] {})); // constant
  }

  @ParameterizedTest(name = "{index}: {0} varying along {1}")
  @MethodSource("layouts")
  void maskEqualsThePerElementMask(long[] dims, int[] varying) {
    Shape s = new Shape(dims);
    int n = 1;
    for (int d : varying) {
      n *= (int) dims[d];
    }
    for (long seed = 0; seed < 10; seed++) {
      Random r = new Random(seed);
      int[] atoms = new int[n];
      for (int j = 0; j < n; j++) {
        atoms[j] = 1 + j; // distinct, so the dims stay varying
      }
      BitSet gone = new BitSet();
      for (int j = 0; j < n; j++) {
        if (r.nextBoolean()) {
          gone.set(atoms[j]);
        }
      }
      Labels l = Labels.factored(s, varying, atoms);
      BitSet expected = new BitSet();
      int[] dense = l.dense();
      for (int i = 0; i < dense.length; i++) {
        if (gone.get(dense[i])) {
          expected.set(i);
        }
      }
      assertEquals(expected, FactoredMask.of(l, gone::get), "seed " + seed);
    }
  }

  /** Seeded removals of atoms: at random, or by the last varying index only (dense). */
  private static BitSet removal(Labels l, long seed, boolean byLastIndex) {
    Random r = new Random(seed);
    int[] dims = l.varyingDims();
    int last = dims.length == 0 ? 1 : (int) l.shape().dim(dims[dims.length - 1]);
    boolean[] lastGone = new boolean[last];
    for (int c = 0; c < last; c++) {
      lastGone[c] = r.nextBoolean();
    }
    BitSet gone = new BitSet();
    for (int j = 0; j < l.size(); j++) {
      if (byLastIndex ? lastGone[j % last] : r.nextBoolean()) {
        gone.set(l.atom(j));
      }
    }
    return gone;
  }

  private static Labels distinct(long[] dims, int[] varying) {
    int n = 1;
    for (int d : varying) {
      n *= (int) dims[d];
    }
    int[] atoms = new int[n];
    for (int j = 0; j < n; j++) {
      atoms[j] = 1 + j;
    }
    return Labels.factored(new Shape(dims), varying, atoms);
  }

  @ParameterizedTest(name = "{index}: {0} varying along {1}")
  @MethodSource("layouts")
  void keptListsTheClearBitsOfTheMaskInOrder(long[] dims, int[] varying) {
    Labels l = distinct(dims, varying);
    for (long seed = 0; seed < 20; seed++) {
      BitSet gone = removal(l, seed, seed % 2 == 0);
      BitSet mask = FactoredMask.of(l, gone::get);
      int numel = l.shape().numel();
      int[] expected = IntStream.range(0, numel).filter(i -> !mask.get(i)).toArray();
      assertArrayEquals(expected, FactoredMask.kept(l, gone::get), "seed " + seed);
    }
  }

  @ParameterizedTest(name = "{index}: {0} varying along {1}")
  @MethodSource("layouts")
  void compressedShapeIsDenseLayoutsOfTheMask(long[] dims, int[] varying) {
    Labels l = distinct(dims, varying);
    for (long seed = 0; seed < 20; seed++) {
      BitSet gone = removal(l, seed, seed % 2 == 0);
      assertArrayEquals(
          DenseLayout.compress(l.shape(), FactoredMask.of(l, gone::get)),
          FactoredMask.compressedShape(l, gone::get),
          "seed " + seed);
    }
  }

  /** Nothing removed, everything removed, and an empty tensor, on the same layouts. */
  @ParameterizedTest(name = "{index}: {0} varying along {1}")
  @MethodSource("layouts")
  void keptAndShapeAtTheExtremes(long[] dims, int[] varying) {
    Labels l = distinct(dims, varying);
    int numel = l.shape().numel();
    assertArrayEquals(IntStream.range(0, numel).toArray(), FactoredMask.kept(l, a -> false));
    assertArrayEquals(dims, FactoredMask.compressedShape(l, a -> false));
    assertEquals(0, FactoredMask.kept(l, a -> true).length);
    long[] none = dims.clone();
    none[0] = 0;
    assertArrayEquals(none, FactoredMask.compressedShape(l, a -> true));
  }

  @Test
  void emptyTensorKeepsNothingAndItsShape() {
    Labels l = Labels.constant(new Shape(new long[] {2, 0, 3}), 5);
    assertEquals(0, FactoredMask.kept(l, a -> true).length);
    assertArrayEquals(new long[] {2, 0, 3}, FactoredMask.compressedShape(l, a -> true));
  }
}
