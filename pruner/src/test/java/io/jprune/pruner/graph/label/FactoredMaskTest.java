package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.BitSet;
import java.util.Random;
import java.util.stream.Stream;
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
}
