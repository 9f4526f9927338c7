package io.jprune.zoo;

import java.lang.ref.Reference;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Owned handles on the tensors of a {@code chunk}/{@code split}/{@code unbind} result.
 *
 * <p>{@code TensorVector.get(i)} is a view into the vector's native storage, and JavaCPP frees that
 * storage when the vector's Java object is collected, which can happen while the view is still in
 * use (a forward that keeps {@code parts.get(0)} across a layer call crashed once in a while). The
 * copy constructor takes a reference of its own on each tensor.
 */
final class Parts {
  private Parts() {}

  static Tensor[] of(TensorVector parts) {
    Tensor[] out = new Tensor[(int) parts.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Tensor(parts.get(i));
    }
    Reference.reachabilityFence(parts);
    return out;
  }
}
