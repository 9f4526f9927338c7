package io.jprune.pruner.graph;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.List;

/**
 * {@code torch.linear(x, weight, bias)} on registered parameters: a {@link Projection} like
 * LinearImpl, with the parameters named by the call's arguments. A weight that is not a registered
 * 2-D parameter read by this call alone (computed, shared, or tied) keeps every channel instead.
 */
final class FunctionalLinearRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    List<TensorRef> ins = call.tensorInputs();
    TensorRef in = ins.get(0);
    TensorRef weight = ins.size() > 1 ? ins.get(1) : null;
    TensorRef bias = ins.size() > 2 ? ins.get(2) : null;
    TensorRef out = call.outputTensor();
    boolean sliceable = weight != null && weight.rank() == 2 && in.rank() >= 1
        && pass.canClaimParameter(weight, call)
        && (bias == null || bias.rank() == 1 && pass.canClaimParameter(bias, call));
    if (!sliceable) {
      for (TensorRef t : ins) {
        pass.fixAll(t);
      }
      pass.setLabels(out, new int[Shape.of(out.shape()).numel]);
      return;
    }
    pass.claimParameter(weight);
    if (bias != null) {
      pass.claimParameter(bias);
    }
    Projection.propagate(pass, in, out, weight.name(), 1, bias == null ? null : bias.name());
  }
}
