package io.jprune.pruner;

import io.jprune.pruner.surgery.ModelTensors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs the user's loss with autograd for criteria that need gradients: the sum of gradients over
 * the samples (Taylor) and the sum of squared per-sample gradients (the empirical-Fisher estimate
 * of the Hessian diagonal, OBD), accumulated sample by sample.
 */
final class GradientProbe {
  /** Gradients and Hessian-diagonal estimates by parameter name. */
  record Result(Map<String, Tensor> gradients, Map<String, Tensor> hessianDiagonal) {}

  private GradientProbe() {}

  static Result run(Module model, List<Supplier<Tensor>> losses) {
    Map<String, Tensor> params = ModelTensors.parameters(model);
    Map<String, Tensor> grads = new HashMap<>();
    Map<String, Tensor> hessian = new HashMap<>();
    for (Supplier<Tensor> loss : losses) {
      model.zero_grad(true);
      Tensor value = loss.get();
      value.backward();
      try (NoGradGuard g = new NoGradGuard()) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
          Tensor grad = e.getValue().grad();
          if (grad == null || !grad.defined()) {
            continue;
          }
          Tensor gc = grad.detach().clone();
          grads.merge(e.getKey(), gc, Tensor::add);
          hessian.merge(e.getKey(), gc.mul(gc), Tensor::add);
        }
      }
    }
    model.zero_grad(true);
    return new Result(grads, hessian);
  }
}
