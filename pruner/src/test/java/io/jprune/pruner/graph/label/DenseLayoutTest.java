package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** Which removals leave a dense tensor, and of which shape. */
class DenseLayoutTest {
  private static final Shape HEADS = new Shape(new long[] {2, 3, 4}); // (branch, head, dim)

  private static BitSet remove(Shape s, int... coordsFlat) {
    BitSet b = new BitSet();
    for (int c : coordsFlat) {
      b.set(c);
    }
    return b;
  }

  private static int at(int branch, int head, int dim) {
    return branch * 12 + head * 4 + dim;
  }

  @Test
  void nothingRemovedKeepsTheShape() {
    assertArrayEquals(new long[] {2, 3, 4}, DenseLayout.compress(HEADS, new BitSet()));
  }

  @Test
  void sameCountPerHeadIsDenseEvenAtDifferentPositions() {
    BitSet b =
        remove(HEADS, at(0, 0, 1), at(0, 1, 3), at(0, 2, 0), at(1, 0, 2), at(1, 1, 2), at(1, 2, 1));
    assertArrayEquals(new long[] {2, 3, 3}, DenseLayout.compress(HEADS, b));
  }

  @Test
  void wholeHeadsGoAlongTheirDim() {
    BitSet b = new BitSet();
    for (int branch = 0; branch < 2; branch++) {
      for (int d = 0; d < 4; d++) {
        b.set(at(branch, 1, d));
      }
    }
    assertArrayEquals(new long[] {2, 2, 4}, DenseLayout.compress(HEADS, b));
  }

  @Test
  void differentCountsPerHeadAreNotDense() {
    assertNull(DenseLayout.compress(HEADS, remove(HEADS, at(0, 0, 1))));
  }

  @Test
  void keptPositionsNumberKeptElementsInOrder() {
    assertArrayEquals(
        new int[] {0, -1, 1, -1, 2},
        DenseLayout.keptPositions(5, remove(new Shape(new long[] {5}), 1, 3)));
    assertArrayEquals(
        new long[] {0, 2},
        DenseLayout.keptAlong(
            new Shape(new long[] {3, 2}), remove(new Shape(new long[] {3, 2}), 2, 3), 0));
  }
}
