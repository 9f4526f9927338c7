package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-index sums along a dim ({@link SliceSums#sums}) and the reused memory their elementwise
 * quantities are written into ({@link Scratch}).
 */
class SliceReductionTest {
  static Stream<Arguments> shapesAndDims() {
    return Stream.of(
        Arguments.of(new long[] {7}, 0),
        Arguments.of(new long[] {5, 7}, 0),
        Arguments.of(new long[] {5, 7}, 1),
        Arguments.of(new long[] {6, 4, 3, 3}, 0),
        Arguments.of(new long[] {6, 4, 3, 3}, 1),
        Arguments.of(new long[] {6, 4, 3, 3}, 2),
        Arguments.of(new long[] {6, 4, 3, 3}, 3),
        Arguments.of(new long[] {3, 5, 7}, 1),
        Arguments.of(new long[] {40, 300, 3, 3}, 1),
        Arguments.of(new long[] {0, 4, 3, 3}, 1),
        Arguments.of(new long[] {6, 0, 3, 3}, 0));
  }

  /** Each entry summed in double from the values, by index along dim. */
  private static double[] expected(double[] values, long[] shape, int dim) {
    double[] out = new double[(int) shape[dim]];
    for (int f = 0; f < values.length; f++) {
      out[(int) Fixture.unflatten(f, shape)[dim]] += values[f];
    }
    return out;
  }

  @ParameterizedTest(name = "{0} along {1}")
  @MethodSource("shapesAndDims")
  void sumsOverEveryOtherDimInDouble(long[] shape, int dim) {
    Fixture f = new Fixture(3);
    Tensor t = f.random("t", shape);
    double[] sums = HostVectors.toDoubles(SliceSums.sums(t, dim));
    double[] expected = expected(f.values("t"), shape, dim);
    assertEquals(expected.length, sums.length);
    for (int i = 0; i < sums.length; i++) {
      assertEquals(expected[i], sums[i], 1e-12 * Math.max(1, Math.abs(expected[i])), "entry " + i);
    }
  }

  /**
   * In float, dim 0 is summed exactly as it always was (rows); other dims agree with moving the dim
   * to the front first up to float rounding of the sums.
   */
  @ParameterizedTest(name = "{0} along {1}")
  @MethodSource("shapesAndDims")
  void floatSumsMatchMovingTheDimFirst(long[] shape, int dim) {
    Tensor t = torch.randn(shape).abs();
    Tensor sums = SliceSums.sums(t, dim);
    if (t.numel() == 0) {
      assertEquals(shape[dim], sums.numel());
      assertEquals(0.0, sums.abs().sum().item_double());
      return;
    }
    Tensor moved = t.movedim(dim, 0).reshape(shape[dim], -1).sum(1L);
    if (dim == 0) {
      assertTrue(torch.equal(moved, sums), "rows are summed as before, bit for bit");
    } else {
      double rel = moved.sub(sums).abs().div(moved).max().item_double();
      assertTrue(rel < 1e-6, "relative difference " + rel);
    }
  }

  @Test
  void scratchHandsOutOneMemoryForTensorsThatFit() {
    Scratch scratch = new Scratch(24);
    Tensor big = torch.randn(4, 6);
    Tensor a = scratch.like(big);
    Tensor b = scratch.like(torch.randn(2, 3));
    assertArrayEquals(new long[] {4, 6}, a.shape());
    assertArrayEquals(new long[] {2, 3}, b.shape());
    assertEquals(a.data_ptr().address(), b.data_ptr().address(), "the same memory");
    assertEquals(torch.ScalarType.Float.value, b.scalar_type().value);
  }

  @Test
  void scratchTakesNewMemoryForALargerTensorOrAnotherDtype() {
    Scratch scratch = new Scratch(4);
    Tensor small = scratch.like(torch.randn(2, 2));
    Tensor larger = scratch.like(torch.randn(3, 3));
    assertArrayEquals(new long[] {3, 3}, larger.shape());
    Tensor asDouble = scratch.like(torch.randn(2, 2).to(torch.ScalarType.Double));
    assertEquals(torch.ScalarType.Double.value, asDouble.scalar_type().value);
    assertTrue(small.data_ptr().address() != asDouble.data_ptr().address());
  }

  static Stream<Arguments> degrees() {
    return Stream.of(Arguments.of(1.0), Arguments.of(2.0), Arguments.of(3.0), Arguments.of(0.5));
  }

  /** |w|^p written into reused memory holds the values a fresh tensor would, bit for bit. */
  @ParameterizedTest(name = "p = {0}")
  @MethodSource("degrees")
  void powAbsIntoScratchEqualsAFreshTensor(double p) {
    Tensor w = torch.randn(37, 11, 3, 3);
    Tensor fresh = p == 2 ? w.mul(w) : w.abs().pow(new Scalar(p));
    Scratch scratch = new Scratch(w.numel());
    scratch.like(torch.randn(5)).fill_(new Scalar(7.0)); // stale contents must not show
    Tensor reused = GroupMagnitude.powAbs(w, p, scratch);
    assertTrue(torch.equal(fresh, reused));
    float[] first = new float[1];
    new FloatPointer(reused.data_ptr_float()).get(first);
    assertEquals(fresh.flatten().get(0).item_double(), first[0], 0.0);
  }
}
