package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.List;

/**
 * Linear layers written as ops on registered parameters: {@code torch.linear(x, weight, bias)}
 * (weight rows are outputs) and {@code torch.addmm(bias, x, weight)} (weight columns are outputs),
 * each a {@link Projection} like LinearImpl with the parameters named by the call's arguments. A
 * weight or bias that is not a registered parameter read by this call alone (computed, shared,
 * tied) keeps every channel instead.
 */
final class FunctionalLinearRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    List<TensorRef> ins = call.tensorInputs();
    boolean addmm = call.op().equals("addmm");
    TensorRef in = operand(ins, addmm ? 1 : 0);
    TensorRef weight = operand(ins, addmm ? 2 : 1);
    TensorRef bias = operand(ins, addmm ? 0 : 2);
    TensorRef out = call.outputTensor();
    boolean sliceable =
        in != null
            && weight != null
            && weight.rank() == 2
            && in.rank() >= 1
            && pass.canClaimParameter(weight, call)
            && (bias == null || bias.rank() == 1 && pass.canClaimParameter(bias, call));
    if (!sliceable) {
      pass.keepWhole(call);
      return;
    }
    pass.claimParameter(weight);
    if (bias != null) {
      pass.claimParameter(bias);
    }
    Projection.propagate(
        pass, in, out, weight.name(), addmm ? 0 : 1, bias == null ? null : bias.name());
  }

  private static TensorRef operand(List<TensorRef> ins, int i) {
    return i < ins.size() ? ins.get(i) : null;
  }
}
