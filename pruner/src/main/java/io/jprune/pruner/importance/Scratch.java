package io.jprune.pruner.importance;

import org.bytedeco.pytorch.Tensor;

/**
 * Memory reused for the full-size elementwise quantities of one {@link SliceSums#vectors} call
 * ({@code |w|^2} of each parameter in turn, each reduced before the next is written). A fresh
 * tensor per parameter is fresh memory each time, paid in page faults: squaring ViT-S's 22M weights
 * into fresh tensors took about a third longer than into reused memory. The memory belongs to the
 * pointer scope open when it is first asked for, and is freed with it.
 */
final class Scratch {
  private final long reserve;
  private Tensor buffer;

  /** Memory for tensors of up to {@code reserve} elements, allocated when first asked for. */
  Scratch(long reserve) {
    this.reserve = reserve;
  }

  /**
   * A contiguous tensor with the shape, dtype and device of {@code like}, contents undefined. It
   * shares memory with every tensor this scratch handed out before: use it only until the next
   * call.
   */
  Tensor like(Tensor like) {
    long n = like.numel();
    if (buffer == null
        || buffer.numel() < n
        || buffer.scalar_type().value != like.scalar_type().value
        || !buffer.device().equals(like.device())) {
      buffer = like.new_empty(Math.max(n, reserve));
    }
    return buffer.narrow(0, 0, n).view(like.shape());
  }
}
