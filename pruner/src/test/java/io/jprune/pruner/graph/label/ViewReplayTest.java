package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.ref.Reference;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The labels of a view, walked only along the output dims that can move a varying input coordinate,
 * against a per-element reference: each output element reads the input element at {@code offset +
 * sum(coord * stride)}, and the per-element labels are compressed by {@link Labels#of}; and the
 * per-element map made from a view against the op replayed on an arange, as {@link LabelReplay}
 * makes it. Views are made by libtorch's own ops on a contiguous tensor.
 */
class ViewReplayTest {
  /** A view op on a contiguous tensor of {@code shape}, whose labels vary along {@code dims}. */
  record Case(long[] shape, int[] varying, UnaryOperator<Tensor> op) {}

  static Stream<Arguments> namedViews() {
    return Stream.of(
        view(
            "qkv split into 3 x heads x head_dim",
            s(1, 5, 24),
            v(2),
            t -> t.reshape(1, 5, 3, 2, 4)),
        view(
            "qkv permuted to 3, B, heads, tokens, dim",
            s(1, 5, 3, 2, 4),
            v(2, 3, 4),
            t -> t.permute(2, 0, 3, 1, 4)),
        view("select q from 3 x ...", s(3, 1, 2, 5, 4), v(0, 2, 4), t -> t.select(0, 1)),
        view("key transposed", s(1, 2, 5, 4), v(1, 3), t -> t.transpose(-2, -1)),
        view("conv channels flattened", s(2, 6, 3, 3), v(1), t -> t.flatten(2, -1)),
        view(
            "flattened, then tokens first",
            s(1, 6, 3, 3),
            v(1),
            t -> t.flatten(2, -1).transpose(1, 2)),
        view("heads merged back", s(1, 5, 2, 4), v(2, 3), t -> t.reshape(1, 5, 8)),
        view("narrow across channels", s(2, 7, 3), v(1, 2), t -> t.narrow(1, 2, 4)),
        view("channel expanded over a new batch", s(1, 6, 1), v(1), t -> t.expand(3, 6, 4)),
        view("unsqueezed", s(4, 6), v(0, 1), t -> t.unsqueeze(1)),
        view("constant labels", s(2, 3, 4), v(), t -> t.permute(2, 0, 1)),
        view("every dim varies", s(2, 3, 4), v(0, 1, 2), t -> t.transpose(0, 2)),
        view("channel split over groups", s(2, 12, 3), v(1), t -> t.view(2, 3, 4, 3)),
        view(
            "overlapping windows (carries)",
            s(2, 6),
            v(0),
            t -> t.as_strided(new long[] {3, 4}, new long[] {3, 1}, new LongOptional(1))),
        view("diagonal", s(4, 4, 3), v(0, 2), t -> t.diagonal(0, 0, 1)),
        view("unfold windows", s(2, 9), v(1), t -> t.unfold(1, 4, 2)),
        view("select down to a scalar", s(5), v(0), t -> t.select(0, 3)));
  }

  private static Arguments view(
      String name, long[] shape, int[] varying, UnaryOperator<Tensor> op) {
    return Arguments.of(name, new Case(shape, varying, op));
  }

  private static long[] s(long... dims) {
    return dims;
  }

  private static int[] v(int... dims) {
    return dims;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedViews")
  void viewLabelsEqualPerElementLabels(String name, Case c) {
    for (long seed = 0; seed < 5; seed++) {
      assertMatchesReference(c, new Random(seed), name + ", seed " + seed);
    }
  }

  /** Random strides, sizes and offsets into a random tensor: carries and overlaps included. */
  static Stream<Long> seeds() {
    return LongStream.range(0, 60).boxed();
  }

  @ParameterizedTest(name = "as_strided seed {0}")
  @MethodSource("seeds")
  void randomStridedViewsEqualPerElementLabels(long seed) {
    Random r = new Random(seed);
    long[] shape = new long[1 + r.nextInt(4)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = 1 + r.nextInt(4);
    }
    long numel = LongStream.of(shape).reduce(1, (a, b) -> a * b);
    long[] sizes = new long[1 + r.nextInt(4)];
    long[] strides = new long[sizes.length];
    long reach = 0;
    for (int d = 0; d < sizes.length; d++) {
      sizes[d] = 1 + r.nextInt(4);
      strides[d] = r.nextInt((int) numel + 1);
      reach += (sizes[d] - 1) * strides[d];
    }
    if (reach >= numel) { // scale down until the view fits in the input
      for (int d = 0; d < sizes.length; d++) {
        strides[d] = strides[d] * (numel - 1) / reach;
      }
      reach = 0;
      for (int d = 0; d < sizes.length; d++) {
        reach += (sizes[d] - 1) * strides[d];
      }
    }
    long offset = r.nextInt((int) (numel - reach));
    int[] varying =
        r.ints(0, shape.length).distinct().limit(r.nextInt(shape.length + 1)).sorted().toArray();
    Case c = new Case(shape, varying, t -> t.as_strided(sizes, strides, new LongOptional(offset)));
    assertMatchesReference(c, r, "seed " + seed);
  }

  private static void assertMatchesReference(Case c, Random r, String what) {
    Shape in = new Shape(c.shape());
    Labels labels = randomLabels(in, c.varying(), r);
    Tensor base = torch.empty(c.shape());
    ViewReplay.View view = ViewReplay.View.of(c.op().apply(base));
    Labels expected = Labels.of(new Shape(view.sizes()), perElement(view, labels));
    Labels actual = ViewReplay.labels(view, labels);
    assertArrayEquals(expected.varyingDims(), actual.varyingDims(), what);
    assertEquals(expected.size(), actual.size(), what);
    for (int j = 0; j < expected.size(); j++) {
      assertEquals(expected.atom(j), actual.atom(j), what + ", atom " + j);
    }
    assertArrayEquals(expected.dense(), actual.dense(), what);
    assertArrayEquals(arangeReplay(c), ViewReplay.positions(view), what + ": positions");
  }

  /** The op on an arange of the input shape: each output element's input position, as read. */
  private static int[] arangeReplay(Case c) {
    long numel = LongStream.of(c.shape()).reduce(1, (a, b) -> a * b);
    Tensor base =
        torch
            .arange(new Scalar(numel), new TensorOptions(torch.ScalarType.Long))
            .reshape(c.shape());
    Tensor out = c.op().apply(base).contiguous();
    long[] values = new long[(int) out.numel()];
    new LongPointer(out.data_ptr_long()).capacity(values.length).get(values);
    Reference.reachabilityFence(out);
    return LongStream.of(values).mapToInt(v -> (int) v).toArray();
  }

  /** Atoms 1..4 at random along the given dims (repeats allowed, so some dims may not vary). */
  private static Labels randomLabels(Shape s, int[] dims, Random r) {
    long n = 1;
    for (int d : dims) {
      n *= s.dim(d);
    }
    int[] atoms = r.ints((int) n, 1, 5).toArray();
    return Labels.factored(s, dims, atoms);
  }

  private static int[] perElement(ViewReplay.View v, Labels in) {
    Shape out = new Shape(v.sizes());
    int[] l = new int[out.numel()];
    for (int i = 0; i < l.length; i++) {
      long flat = v.offset();
      for (int d = 0; d < out.rank(); d++) {
        flat += out.coord(i, d) * v.strides()[d];
      }
      l[i] = in.at((int) flat);
    }
    return l;
  }
}
