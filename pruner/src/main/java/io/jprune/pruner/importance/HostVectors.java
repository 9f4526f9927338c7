package io.jprune.pruner.importance;

import java.lang.ref.Reference;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Moves the small per-channel vectors between libtorch and Java: criteria reduce whole parameters
 * on their own device and bring back only one number per index.
 */
final class HostVectors {
  private HostVectors() {}

  /** The values of a (small) tensor, flattened, as doubles. */
  static double[] toDoubles(Tensor t) {
    Tensor c = t.detach().to(torch.ScalarType.Double).cpu().contiguous();
    double[] out = new double[(int) c.numel()];
    if (out.length > 0) {
      new DoublePointer(c.data_ptr_double()).capacity(out.length).get(out);
    }
    Reference.reachabilityFence(c); // owns the memory just read
    return out;
  }

  /** A tensor of these values with the given shape, on the device and with the dtype of like. */
  static Tensor fromDoubles(double[] values, Tensor like, long... shape) {
    return AbstractTensor.create(values, shape).to(like.device(), like.scalar_type());
  }

  /**
   * The tensor, widened to float when it is half or bfloat16 so that sums over large weights stay
   * accurate; float and double tensors are returned as they are.
   */
  static Tensor widen(Tensor t) {
    // by value: scalar_type() hands out a new enum object each call, never == the constant
    byte s = t.scalar_type().value;
    return s == torch.ScalarType.Half.value || s == torch.ScalarType.BFloat16.value
        ? t.to(torch.ScalarType.Float)
        : t;
  }

  /** An int64 index tensor on the device of like. */
  static Tensor indices(long[] values, Tensor like) {
    return AbstractTensor.create(values).to(like.device(), torch.ScalarType.Long);
  }
}
