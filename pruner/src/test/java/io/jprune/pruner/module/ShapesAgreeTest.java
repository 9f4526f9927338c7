package io.jprune.pruner.module;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.primitives.ImmutableLongArray;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ModuleKind#shapesAgree} of the built-in kinds, on hand-written shapes: the check the shape
 * validation runs on every traced call of a module with a weight before anything is cut.
 */
class ShapesAgreeTest {
  private static Arguments agree(
      String type, boolean expected, long[] in, long[] out, long[] tracedIn, long[] w, long[] tw) {
    return Arguments.of(
        type,
        expected,
        new CallShapes(
            ImmutableLongArray.copyOf(in),
            ImmutableLongArray.copyOf(out),
            ImmutableLongArray.copyOf(tracedIn),
            ImmutableLongArray.copyOf(w),
            ImmutableLongArray.copyOf(tw)));
  }

  private static long[] s(long... dims) {
    return dims;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // Linear 8 -> 6 pruned to 5 -> 4: weight [4, 5]
        agree("LinearImpl", true, s(2, 5), s(2, 4), s(2, 8), s(4, 5), s(6, 8)),
        agree("LinearImpl", false, s(2, 6), s(2, 4), s(2, 8), s(4, 5), s(6, 8)),
        agree("LinearImpl", false, s(2, 5), s(2, 3), s(2, 8), s(4, 5), s(6, 8)),
        // plain Conv2d 8 -> 16 pruned to 6 -> 12
        agree(
            "Conv2dImpl",
            true,
            s(1, 6, 5, 5),
            s(1, 12, 3, 3),
            s(1, 8, 5, 5),
            s(12, 6, 3, 3),
            s(16, 8, 3, 3)),
        agree(
            "Conv2dImpl",
            false,
            s(1, 7, 5, 5),
            s(1, 12, 3, 3),
            s(1, 8, 5, 5),
            s(12, 6, 3, 3),
            s(16, 8, 3, 3)),
        // depthwise Conv1d (groups = 8 = in) pruned to 6 channels: weight [6, 1, 3]
        agree("Conv1dImpl", true, s(1, 6, 9), s(1, 6, 7), s(1, 8, 9), s(6, 1, 3), s(8, 1, 3)),
        agree("Conv1dImpl", false, s(1, 6, 9), s(1, 5, 7), s(1, 8, 9), s(6, 1, 3), s(8, 1, 3)),
        // grouped Conv2d, 2 groups of 4 inputs, pruned to 2 groups of 3: weight [8, 3, 1, 1]
        agree(
            "Conv2dImpl",
            true,
            s(1, 6, 4, 4),
            s(1, 8, 4, 4),
            s(1, 8, 4, 4),
            s(8, 3, 1, 1),
            s(8, 4, 1, 1)),
        agree(
            "Conv2dImpl",
            false,
            s(1, 7, 4, 4),
            s(1, 8, 4, 4),
            s(1, 8, 4, 4),
            s(8, 3, 1, 1),
            s(8, 4, 1, 1)),
        // unbatched Conv1d input [C, L]
        agree("Conv1dImpl", true, s(6, 9), s(12, 7), s(8, 9), s(12, 6, 3), s(16, 8, 3)),
        agree("BatchNorm2dImpl", true, s(1, 6, 4, 4), s(1, 6, 4, 4), s(1, 8, 4, 4), s(6), s(8)),
        agree("BatchNorm2dImpl", false, s(1, 7, 4, 4), s(1, 7, 4, 4), s(1, 8, 4, 4), s(6), s(8)),
        // BatchNorm1d without a batch dim: channels are dim 0
        agree("BatchNorm1dImpl", true, s(6), s(6), s(8), s(6), s(8)),
        agree("InstanceNorm1dImpl", false, s(2, 5, 3), s(2, 5, 3), s(2, 8, 3), s(6), s(8)),
        agree("GroupNormImpl", true, s(2, 6, 3), s(2, 6, 3), s(2, 8, 3), s(6), s(8)),
        agree("GroupNormImpl", false, s(2, 4, 3), s(2, 4, 3), s(2, 8, 3), s(6), s(8)),
        agree("LayerNormImpl", true, s(2, 7, 6), s(2, 7, 6), s(2, 7, 8), s(6), s(8)),
        agree("LayerNormImpl", false, s(2, 7, 5), s(2, 7, 5), s(2, 7, 8), s(6), s(8)),
        agree("LayerNormImpl", true, s(2, 3, 6), s(2, 3, 6), s(2, 4, 8), s(3, 6), s(4, 8)),
        agree("EmbeddingImpl", true, s(2, 7), s(2, 7, 6), s(2, 7), s(100, 6), s(100, 8)),
        agree("EmbeddingImpl", false, s(2, 7), s(2, 7, 5), s(2, 7), s(100, 6), s(100, 8)),
        // kinds without a channel check agree whatever the shapes
        agree(
            "ConvTranspose2dImpl",
            true,
            s(1, 3, 4, 4),
            s(1, 9, 8, 8),
            s(1, 8, 4, 4),
            s(5, 7, 3, 3),
            s(8, 16, 3, 3)),
        agree("ReLUImpl", true, s(1, 3), s(1, 4), s(1, 8), s(1), s(1)));
  }

  @ParameterizedTest(name = "{0} agrees={1}")
  @MethodSource("cases")
  void builtinKindsCheckWeightChannels(String type, boolean expected, CallShapes shapes) {
    ModuleKind kind = ModuleCatalog.builtins().find(type).orElseThrow();
    assertEquals(expected, kind.shapesAgree(shapes));
  }
}
