package io.jprune.handmade;

import static io.jprune.handmade.HandSites.call;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Small models whose forward runs through {@link HandSites}, with hand-countable costs. */
public final class HandModels {
  private HandModels() {}

  /** conv 3->8 (3x3, bias) -> BN -> ReLU -> flatten -> Linear(128, 5); input [2, 3, 4, 4]. */
  public static final class ConvNet extends Module {
    final Conv2dImpl conv;
    final BatchNorm2dImpl bn = register_module("bn", new BatchNorm2dImpl(new BatchNormOptions(8)));
    final ReLUImpl relu = register_module("relu", new ReLUImpl());
    final LinearImpl fc = register_module("fc", new LinearImpl(128, 5));

    public ConvNet() {
      Conv2dOptions o = new Conv2dOptions(3, 8, new LongPointer(3L, 3L));
      o.padding().put(new LongPointer(1L, 1L));
      conv = register_module("conv", new Conv2dImpl(o));
    }

    public Tensor forward(Tensor x) {
      Tensor y =
          call(HandSites.RELU, relu, call(HandSites.BN2D, bn, call(HandSites.CONV2D, conv, x)));
      return call(HandSites.LINEAR, fc, call(HandSites.FLATTEN, y, 1L, -1L));
    }

    public static Tensor input() {
      torch.manual_seed(3);
      return torch.randn(2, 3, 4, 4);
    }
  }

  /** Self-attention without heads: y = fc(x); s = y @ y^T; z = s @ y; head(z). Input [1, 4, 6]. */
  public static final class MatmulNet extends Module {
    final LinearImpl fc = register_module("fc", new LinearImpl(6, 6));
    final LinearImpl head = register_module("head", new LinearImpl(6, 3));

    public Tensor forward(Tensor x) {
      Tensor y = call(HandSites.LINEAR, fc, x);
      Tensor s = call(HandSites.MATMUL, y, call(HandSites.TRANSPOSE, y, 1L, 2L));
      return call(HandSites.LINEAR, head, call(HandSites.MATMUL_2, s, y));
    }

    public static Tensor input() {
      torch.manual_seed(5);
      return torch.randn(1, 4, 6);
    }
  }

  /**
   * Two "heads" of three from a reshape, as an attention block splits channels: fc(x).reshape(1, 4,
   * 2, hd).relu().reshape(1, 4, 2 * hd) -> head. Pruning rewrites both reshapes' arguments at their
   * call sites. Input [1, 4, 6].
   */
  public static final class HeadNet extends Module {
    final long headDim;
    final LinearImpl fc;
    final LinearImpl head;

    public HeadNet() {
      this(3);
    }

    public HeadNet(long headDim) {
      this.headDim = headDim;
      fc = register_module("fc", new LinearImpl(6, 2 * headDim));
      head = register_module("head", new LinearImpl(2 * headDim, 3));
    }

    public Tensor forward(Tensor x) {
      Tensor y = call(HandSites.LINEAR, fc, x);
      Tensor h =
          call(
              HandSites.TENSOR_RELU,
              call(HandSites.RESHAPE_HEADS, y, (Object) new long[] {1, 4, 2, headDim}));
      return call(
          HandSites.LINEAR,
          head,
          call(HandSites.RESHAPE_BACK, h, (Object) new long[] {1, 4, 2 * headDim}));
    }

    public static Tensor input() {
      torch.manual_seed(9);
      return torch.randn(1, 4, 6);
    }
  }
}
