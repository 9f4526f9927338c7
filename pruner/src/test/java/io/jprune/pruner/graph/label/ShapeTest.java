package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.primitives.ImmutableLongArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broadcast and channel index arithmetic against a reference written from coordinates, including
 * the shortcuts for full-size operands and channel runs.
 */
class ShapeTest {
  static Stream<Arguments> broadcasts() {
    return Stream.of(
        Arguments.of(new long[] {2, 3, 4, 5}, new long[] {2, 3, 4, 5}, true), // full size
        Arguments.of(
            new long[] {3, 4, 5}, new long[] {1, 3, 4, 5}, true), // full size, rank differs
        Arguments.of(new long[] {1, 4, 5}, new long[] {1, 1, 4, 5}, true), // full size, leading 1s
        Arguments.of(new long[] {3, 1, 1}, new long[] {2, 3, 4, 5}, false), // bias
        Arguments.of(new long[] {1, 3, 1, 1}, new long[] {2, 3, 4, 5}, false), // scale
        Arguments.of(new long[] {3, 4, 5}, new long[] {2, 3, 4, 5}, false), // batch broadcast
        Arguments.of(new long[] {1, 4, 1}, new long[] {2, 3, 4, 5}, false),
        Arguments.of(new long[] {5}, new long[] {2, 3, 4, 5}, false),
        Arguments.of(new long[] {}, new long[] {2, 3}, false)); // scalar tensor
  }

  @ParameterizedTest(name = "{index}: {0} onto {1}")
  @MethodSource("broadcasts")
  void broadcastSourceReadsTheAlignedCoordinates(long[] operand, long[] out, boolean same) {
    Shape in = new Shape(operand);
    Shape os = new Shape(out);
    int offset = out.length - operand.length;
    int[] expected = new int[os.numel()];
    int[] actual = new int[os.numel()];
    for (int i = 0; i < os.numel(); i++) {
      long src = 0;
      for (int d = 0; d < operand.length; d++) {
        long c = operand[d] == 1 ? 0 : os.coord(i, d + offset);
        src = src * operand[d] + c;
      }
      expected[i] = (int) src;
      actual[i] = in.broadcastSource(i, os);
    }
    assertArrayEquals(expected, actual);
    assertEquals(same, in.sameLayoutAs(os));
    if (same) {
      // callers then read index i itself
      assertArrayEquals(IntStream.range(0, os.numel()).toArray(), expected);
    }
  }

  static Stream<Arguments> channelDims() {
    return Stream.of(
        Arguments.of(new long[] {2, 3, 4, 5}, 1),
        Arguments.of(new long[] {2, 3, 4, 5}, 0),
        Arguments.of(new long[] {2, 3, 4, 5}, 3),
        Arguments.of(new long[] {7}, 0),
        Arguments.of(new long[] {2, 0, 4}, 1));
  }

  @ParameterizedTest(name = "{index}: {0} channels along {1}")
  @MethodSource("channelDims")
  void broadcastChannelsLabelsEachElementWithItsChannel(long[] dims, int channelDim) {
    Shape s = new Shape(dims);
    int[] atomOf = new int[(int) dims[channelDim]];
    for (int c = 0; c < atomOf.length; c++) {
      atomOf[c] = 10 + c;
    }
    int[] expected = new int[s.numel()];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = atomOf[(int) s.coord(i, channelDim)];
    }
    assertArrayEquals(
        expected, LabelPass.broadcastChannels(ImmutableLongArray.copyOf(dims), channelDim, atomOf));
  }
}
