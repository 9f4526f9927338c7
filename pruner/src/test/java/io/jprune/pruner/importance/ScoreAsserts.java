package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Score comparisons: equal up to summation-order rounding, and the lowest channels. */
final class ScoreAsserts {
  private ScoreAsserts() {}

  static void assertScores(double[] expected, double[] actual) {
    assertEquals(expected.length, actual.length, "number of scores");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i],
          actual[i],
          1e-12 * Math.max(1, Math.abs(expected[i])),
          "channel "
              + i
              + ": expected "
              + Arrays.toString(expected)
              + " got "
              + Arrays.toString(actual));
    }
  }

  /** Channel indices, lowest score first. */
  static int[] ascending(double[] scores) {
    return IntStream.range(0, scores.length)
        .boxed()
        .sorted((a, b) -> Double.compare(scores[a], scores[b]))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  static int argmin(double[] scores) {
    return ascending(scores)[0];
  }
}
