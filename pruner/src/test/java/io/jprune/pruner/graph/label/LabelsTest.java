package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The factored labels against per-element references written from coordinates: channels along one
 * dim, broadcasting through {@link LabelWalk}, the same joins per position as per element, the
 * dense fallback and the compression of per-element labels.
 */
class LabelsTest {
  static Stream<Arguments> channelDims() {
    return Stream.of(
        Arguments.of(new long[] {2, 3, 4, 5}, 1), // NCHW conv activation
        Arguments.of(new long[] {1, 7, 6}, 2), // tokens, channels last
        Arguments.of(new long[] {4, 3}, 0),
        Arguments.of(new long[] {5}, 0),
        Arguments.of(new long[] {2, 1, 3}, 1)); // a size-1 channel dim does not vary
  }

  @ParameterizedTest(name = "{index}: {0} along {1}")
  @MethodSource("channelDims")
  void alongLabelsEachElementWithItsChannel(long[] dims, int channelDim) {
    Shape s = new Shape(dims);
    int[] atoms = new int[(int) dims[channelDim]];
    for (int c = 0; c < atoms.length; c++) {
      atoms[c] = 10 + c;
    }
    Labels l = Labels.along(s, channelDim, atoms);
    int[] expected = new int[s.numel()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = atoms[(int) s.coord(i, channelDim)];
      assertEquals(expected[i], l.at(i), "element " + i);
    }
    assertArrayEquals(expected, l.dense());
    assertArrayEquals(dims[channelDim] > 1 ? new int[] {channelDim} : new int[0], l.varyingDims());
    assertEquals(dims[channelDim] > 1 ? atoms.length : 1, l.size());
  }

  @Test
  void broadcastOperandsAreReadAtTheirAlignedCoordinates() {
    Shape out = new Shape(new long[] {2, 3, 4, 5});
    Labels bias = Labels.along(new Shape(new long[] {3, 1, 1}), 0, new int[] {1, 2, 3});
    Labels rows = Labels.along(new Shape(new long[] {4, 1}), 0, new int[] {4, 5, 6, 7});
    Labels full = Labels.along(out, 0, new int[] {8, 9});
    List<Labels> operands = List.of(bias, rows, full);
    LabelWalk w = LabelWalk.over(out, operands);
    assertArrayEquals(new int[] {0, 1, 2}, w.dims()); // the last dim varies in no operand
    assertEquals(2 * 3 * 4, w.positions());
    Set<List<Integer>> walked = new LinkedHashSet<>();
    for (int p = 0; p < w.positions(); p++, w.next()) {
      walked.add(atomsAt(operands, w));
    }
    Set<List<Integer>> expected = new LinkedHashSet<>();
    for (int i = 0; i < out.numel(); i++) {
      List<Integer> t = new ArrayList<>();
      for (Labels l : operands) {
        t.add(l.dense()[l.shape().broadcastSource(i, out)]);
      }
      expected.add(t);
    }
    assertEquals(List.copyOf(expected), List.copyOf(walked));
  }

  private static List<Integer> atomsAt(List<Labels> operands, LabelWalk w) {
    List<Integer> t = new ArrayList<>();
    for (int k = 0; k < operands.size(); k++) {
      t.add(operands.get(k).atom(w.index(k)));
    }
    return t;
  }

  /**
   * Joining once per position gives the same sets and the same first inexact reasons as joining per
   * element: the repeats are no-ops and the first elements come in the same order.
   */
  @Test
  void joinsPerPositionEqualJoinsPerElement() {
    Shape out = new Shape(new long[] {2, 6, 3, 4});
    for (long seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      AtomTable perElement = tableOfTen();
      AtomTable perPosition = tableOfTen();
      int[] a = randomAtoms(r, 6);
      int[] b = randomAtoms(r, 4);
      Labels x = Labels.along(out, 1, a);
      Labels y = Labels.along(new Shape(new long[] {4}), 0, b);
      for (int i = 0; i < out.numel(); i++) {
        join(perElement, x.at(i), y.dense()[y.shape().broadcastSource(i, out)]);
      }
      LabelWalk w = LabelWalk.over(out, List.of(x, y));
      for (int p = 0; p < w.positions(); p++, w.next()) {
        join(perPosition, x.atom(w.index(0)), y.atom(w.index(1)));
      }
      for (int atom = 1; atom <= 10; atom++) {
        assertEquals(perElement.find(atom), perPosition.find(atom), "seed " + seed);
        assertEquals(
            perElement.inexactReason(atom), perPosition.inexactReason(atom), "seed " + seed);
      }
    }
  }

  private static AtomTable tableOfTen() {
    AtomTable t = new AtomTable();
    for (int i = 0; i < 10; i++) {
      t.fresh(); // atoms 1..10
    }
    return t;
  }

  private static int[] randomAtoms(Random r, int n) {
    int[] atoms = new int[n];
    for (int i = 0; i < n; i++) {
      atoms[i] = 1 + r.nextInt(10);
    }
    return atoms;
  }

  private static void join(AtomTable t, int a, int b) {
    int root = t.union(a, b);
    t.markInexact(root, "at " + a + "+" + b);
  }

  @Test
  void labelsThatVaryAlongEveryDimStayDense() {
    Shape s = new Shape(new long[] {2, 3, 4});
    int[] perElement = new int[s.numel()];
    for (int i = 0; i < perElement.length; i++) {
      perElement[i] = i + 1; // a bare parameter: one atom per element
    }
    Labels l = Labels.of(s, perElement);
    assertArrayEquals(new int[] {0, 1, 2}, l.varyingDims());
    assertEquals(s.numel(), l.size());
    assertSame(perElement, l.dense());
    for (int i = 0; i < perElement.length; i++) {
      assertEquals(i + 1, l.atom(l.indexOf(i)));
    }
  }

  @Test
  void perElementLabelsAreCompressedToTheDimsTheyVaryAlong() {
    Shape s = new Shape(new long[] {2, 3, 4, 5});
    int[] perElement = new int[s.numel()];
    for (int i = 0; i < perElement.length; i++) {
      perElement[i] = (int) (100 + 10 * s.coord(i, 1) + s.coord(i, 3));
    }
    Labels l = Labels.of(s, perElement.clone());
    assertArrayEquals(new int[] {1, 3}, l.varyingDims());
    assertEquals(3 * 5, l.size());
    assertEquals(3 * 5, l.blockLength() / 4); // from dim 1 on: 3 x 4 x 5
    assertEquals(1, l.runLength());
    Labels rebuilt = Labels.factored(s, l.varyingDims(), atomsOf(l));
    assertArrayEquals(perElement, rebuilt.dense());
    Labels constant = Labels.of(s, new int[s.numel()]);
    assertArrayEquals(new int[0], constant.varyingDims());
    assertArrayEquals(new int[s.numel()], constant.dense());
    Labels sameAtoms = Labels.along(s, 2, new int[] {7, 7, 7, 7});
    assertArrayEquals(new int[0], sameAtoms.varyingDims()); // factored labels are compressed too
  }

  private static int[] atomsOf(Labels l) {
    int[] a = new int[l.size()];
    for (int j = 0; j < a.length; j++) {
      a[j] = l.atom(j);
    }
    return a;
  }
}
