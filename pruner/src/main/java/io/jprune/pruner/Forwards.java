package io.jprune.pruner;

import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The forwards a pruner runs: the example forward it traces (and runs after each cut), and those a
 * step that cannot be proven whole is measured on (the example alone by default).
 */
record Forwards(Supplier<Tensor> example, List<Supplier<Tensor>> verification) {
  Forwards {
    verification = verification.isEmpty() ? List.of(example) : List.copyOf(verification);
  }

  /** The example forward without gradients. */
  Supplier<Tensor> exampleNoGrad() {
    return noGrad(example);
  }

  /** The verification forwards without gradients. */
  List<Supplier<Tensor>> verificationNoGrad() {
    return verification.stream().map(Forwards::noGrad).toList();
  }

  private static Supplier<Tensor> noGrad(Supplier<Tensor> f) {
    return () -> {
      try (NoGradGuard guard = new NoGradGuard()) {
        return f.get();
      }
    };
  }
}
