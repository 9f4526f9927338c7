package io.jprune.rulenets;

import java.lang.ref.Reference;
import java.util.function.BinaryOperator;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The op of a {@link ConvPair}, applied to a = b = [1, 8, 4, 4]; grouped by the rule under test.
 */
public enum ConvOps implements BinaryOperator<Tensor> {
  // ElementwiseRule
  ADD((a, b) -> a.add(b)),
  RELU((a, b) -> a.relu()),
  SIGMOID((a, b) -> a.sigmoid()),
  ADD_ONE((a, b) -> a.add(new Scalar(1.0))),
  ADD_BROADCAST_CONSTANT((a, b) -> a.add(torch.ones(1, 8, 1, 1))),
  DIV((a, b) -> a.div(b)),
  /** b's per-channel mean [1, 8, 1, 1] scales a's channels. */
  GATE(
      (a, b) ->
          a.mul(b.mean(new long[] {2, 3}, true, new org.bytedeco.pytorch.ScalarTypeOptional()))),

  // LayoutRule
  PIXEL_SHUFFLE((a, b) -> torch.pixel_shuffle(a, 2)),
  CHUNK((a, b) -> swapped(a.chunk(2, 1))),
  SPLIT_SIZES((a, b) -> swapped(a.split_with_sizes(new long[] {3, 5}, 1))),
  NARROW((a, b) -> a.narrow(1, 2, 5)),
  SELECT((a, b) -> a.select(1, 3)),
  RESHAPE_GROUPS((a, b) -> a.reshape(1, 2, 4, 16)),
  CAT((a, b) -> torch.cat(new TensorVector(a, b), 1)),
  PERMUTE((a, b) -> a.permute(0, 2, 3, 1)),
  SLICE((a, b) -> a.slice()),
  SLICE_OPTIONAL((a, b) -> a.slice(1, new LongOptional(0), new LongOptional(4), 1)),

  // PadRule
  PAD_SPATIAL((a, b) -> torch.pad(a, new long[] {1, 1, 1, 1}, "constant", new DoubleOptional(0))),
  PAD_SPATIAL_HALF((a, b) -> torch.constant_pad_nd(a, new long[] {1, 1, 1, 1}, new Scalar(0.5))),
  PAD_REFLECT((a, b) -> torch.pad(a, new long[] {1, 1, 1, 1}, "reflect", new DoubleOptional())),
  PAD_CHANNELS((a, b) -> torch.constant_pad_nd(a, new long[] {0, 0, 0, 0, 1, 2}, new Scalar(0.0))),

  // ReductionRule
  MEAN_SPATIAL((a, b) -> a.mean(2, 3)),
  SUM_CHANNELS((a, b) -> a.sum(1)),
  MEAN_CHANNELS((a, b) -> a.mean(1)),

  // ExtremumRule
  MAX_PAIR((a, b) -> torch.max(a, b)),
  MAX_SPATIAL((a, b) -> new Tensor(a.flatten(2, -1).max(2).get0())),
  MAX_CHANNELS((a, b) -> new Tensor(a.max(1).get0())),

  // SoftmaxRule
  SOFTMAX_SPATIAL((a, b) -> a.softmax(3)),
  SOFTMAX_CHANNELS((a, b) -> a.softmax(1)),
  LOG_SOFTMAX_CHANNELS((a, b) -> a.log_softmax(1)),

  // FactoryRule
  TIMES_ONES((a, b) -> a.mul(torch.ones(1, 8, 4, 4))),
  PLUS_ZEROS_MAP((a, b) -> a.add(torch.zeros(1, 1, 4, 4))),

  // OpCatalog
  /** cumsum has no rule. */
  CUMSUM((a, b) -> a.cumsum(1)),
  /** a.size(1) is a query (no tensor out): not refused, and its 8 is written into the reshape. */
  RESHAPE_BY_SIZE((a, b) -> a.reshape(1, a.size(1), -1)),

  /** linspace between two traced 0-dim tensors: a factory overload that reads tensors. */
  LINSPACE_FROM_TENSORS((a, b) -> a.mul(torch.linspace(a.mean(), b.mean(), 4))),

  // ChannelwiseRule
  MAX_POOL((a, b) -> torch.max_pool2d(a, 2, 2)),
  ADAPTIVE_AVG_POOL((a, b) -> torch.adaptive_avg_pool2d(a, 1, 1)),
  UPSAMPLE(
      (a, b) ->
          torch.upsample_nearest2d(
              a, new long[] {8, 8}, new DoubleOptional(), new DoubleOptional()));

  private final BinaryOperator<Tensor> fn;

  ConvOps(BinaryOperator<Tensor> fn) {
    this.fn = fn;
  }

  @Override
  public Tensor apply(Tensor a, Tensor b) {
    return fn.apply(a, b);
  }

  /** The parts in reverse order, concatenated along channels. */
  private static Tensor swapped(TensorVector parts) {
    Tensor first = new Tensor(parts.get(0));
    Tensor second = new Tensor(parts.get(1));
    Reference.reachabilityFence(parts);
    return torch.cat(new TensorVector(second, first), 1);
  }
}
