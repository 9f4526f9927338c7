package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.tracer.TracedCall;

/**
 * Tensors made inside {@code forward} from sizes alone ({@code torch.ones(1, 1, H, W)} masks,
 * {@code arange} position ids): their elements hold no channel, so they are fixed. What they meet
 * element-wise is fixed with them, which keeps a shape written into the call (say a channel count)
 * from ever going stale; such sizes are not rewritten.
 */
final class FactoryRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    if (!call.tensorInputs().isEmpty()) {
      throw new UnsupportedOpException(call, "an overload of a factory that reads tensors");
    }
    pass.keepWhole(call);
  }
}
