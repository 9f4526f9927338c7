package io.jprune.pruner.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rows and columns cut together: conv kernels are gathered once by flat (row, column) index, and
 * every shape must come out exactly as cutting rows, then columns of the copy, would.
 */
class KernelCutTest {
  private static final Device CPU = new Device("cpu");

  static Stream<Arguments> shapes() {
    return Stream.of(
        Arguments.of("conv2d 3x3", new long[] {6, 5, 3, 3}),
        Arguments.of("conv2d 1x1 (rows, then columns)", new long[] {6, 5, 1, 1}),
        Arguments.of("conv2d 1x3", new long[] {6, 5, 1, 3}),
        Arguments.of("conv1d k=3", new long[] {6, 5, 3}),
        Arguments.of("conv3d 2x3x3", new long[] {6, 5, 2, 3, 3}),
        Arguments.of("linear (rows, then columns)", new long[] {6, 5}),
        Arguments.of("empty kernel", new long[] {6, 5, 0, 3}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void rowsAndColumnsCutAsTwoSelectsWould(String name, long[] shape) {
    Tensor t = torch.randn(shape);
    ImmutableLongArray rows = ImmutableLongArray.of(0, 2, 5);
    ImmutableLongArray columns = ImmutableLongArray.of(1, 4);
    ParamCut cut =
        new ParamCut(
            "w",
            ImmutableLongArray.copyOf(shape),
            ImmutableMap.of(0, rows, 1, columns),
            ImmutableMap.of());
    Tensor expected =
        t.index_select(0, IndexTensor.of(new long[] {1, 3, 4}, CPU))
            .index_select(1, IndexTensor.of(new long[] {0, 2, 3}, CPU));
    Tensor actual = Surgery.cut(t, cut);
    assertArrayEquals(cut.newShape(), actual.shape());
    assertTrue(torch.equal(expected, actual), name);
    assertTrue(actual.is_contiguous(), "the cut tensor is contiguous");
  }

  static Stream<Arguments> shapesAndDims() {
    return shapes().flatMap(a -> Stream.of(0, 1).map(d -> Arguments.of(a.get()[0], a.get()[1], d)));
  }

  @ParameterizedTest(name = "{0}, dim {2}")
  @MethodSource("shapesAndDims")
  void onlyRowsOrOnlyColumnsAreCutAsBefore(String name, long[] shape, int dim) {
    Tensor t = torch.randn(shape);
    ParamCut cut =
        new ParamCut(
            "w",
            ImmutableLongArray.copyOf(shape),
            ImmutableMap.of(dim, ImmutableLongArray.of(3)),
            ImmutableMap.of());
    Tensor keep = IndexTensor.of(IndexTensor.kept(shape[dim], new long[] {3}), CPU);
    assertTrue(torch.equal(t.index_select(dim, keep), Surgery.cut(t, cut)));
  }
}
