package io.jprune.nativeconfig;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;

/**
 * The fastest way to run a forward from Java: under {@link InferenceMode}, with every native
 * temporary the forward creates freed when it returns.
 *
 * <p>Why: Python frees each intermediate as soon as its last reference goes; in the JVM an
 * intermediate tensor lives until the collector finds its small Java peer, which can take hundreds
 * of forwards (the peers barely fill the Java heap). Meanwhile every forward takes fresh native
 * memory and faults in every page of it: a MobileNetV2 forward touched 75 MB of new pages and cost
 * about twice the CPU time of one that reuses freed memory, and the process grew by 75 MB per
 * forward. A {@link PointerScope} around the forward frees its intermediates at once, and {@link
 * Libtorch#load()} has glibc keep what is freed, so later forwards reuse warm pages.
 *
 * <p>The forward must not keep a tensor it creates (in a field, a cache) for later calls: the scope
 * frees it. Create such state before, e.g. in one plain first call. The returned tensor is an
 * inference tensor: it cannot take part in autograd later.
 */
public final class Inference {
  private Inference() {}

  /**
   * Runs {@code forward} and returns its output; everything else it allocated is freed.
   *
   * @param forward one inference, e.g. {@code () -> model.forward(x)}
   * @throws NullPointerException when {@code forward} is null or returns null
   */
  public static Tensor run(Supplier<Tensor> forward) {
    checkNotNull(forward, "forward");
    Libtorch.load();
    try (InferenceMode mode = new InferenceMode();
        PointerScope scope = new PointerScope()) {
      Tensor out = checkNotNull(forward.get(), "the forward returned null");
      // one reference more than the scope releases: the output outlives it
      return out.retainReference();
    }
  }
}
