package io.jprune.pruner;

import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The forwards a pruner runs: the example forward it traces (and runs after each cut), and those a
 * step that cannot be proven whole is measured on (the example alone by default).
 *
 * <p>Every forward but the first trace runs in a {@link PointerScope}: its intermediates are freed
 * when it returns, not when the collector finds their Java peers. Without the scope each forward
 * kept its own copy of every activation alive until the next collection, about 110 MB per ResNet-50
 * forward, and the next forward faulted in fresh memory next to it. The first trace stays unscoped
 * because it is the model's first call: state a model creates then (a cached mask) must outlive it.
 */
record Forwards(Supplier<Tensor> example, List<Supplier<Tensor>> verification) {
  Forwards {
    verification = verification.isEmpty() ? List.of(example) : List.copyOf(verification);
  }

  /** The example forward without gradients, its intermediates freed on return. */
  Supplier<Tensor> exampleNoGrad() {
    return noGrad(example);
  }

  /** The verification forwards without gradients, their intermediates freed on return. */
  List<Supplier<Tensor>> verificationNoGrad() {
    return verification.stream().map(Forwards::noGrad).toList();
  }

  /** The example forward (gradients as the caller set them), its intermediates freed on return. */
  Supplier<Tensor> exampleScoped() {
    return scoped(example);
  }

  private static Supplier<Tensor> noGrad(Supplier<Tensor> f) {
    Supplier<Tensor> scoped = scoped(f);
    return () -> {
      try (NoGradGuard guard = new NoGradGuard()) {
        return scoped.get();
      }
    };
  }

  /**
   * Runs {@code f} in a {@link PointerScope} and returns its output with one reference more than
   * the scope releases, so that only the output outlives it.
   */
  static Supplier<Tensor> scoped(Supplier<Tensor> f) {
    return () -> {
      try (PointerScope scope = new PointerScope()) {
        return f.get().retainReference();
      }
    };
  }
}
