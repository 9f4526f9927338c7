package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * What a criterion may read: parameters and buffers by registered name, their gradients after the
 * pruner ran the user's loss (Taylor), and an accumulated squared-gradient (Hessian diagonal)
 * estimate (OBD).
 */
public final class ImportanceContext {
  private final Map<String, Tensor> tensors;
  private final Map<String, Tensor> gradients;
  private final Map<String, Tensor> hessianDiagonal;

  public ImportanceContext(Map<String, Tensor> tensors, Map<String, Tensor> gradients,
      Map<String, Tensor> hessianDiagonal) {
    this.tensors = checkNotNull(tensors, "tensors");
    this.gradients = gradients;
    this.hessianDiagonal = hessianDiagonal;
  }

  /** A parameter or buffer by registered name. */
  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no parameter or buffer named '" + name + "'");
    }
    return t;
  }

  /** The gradient of a parameter, when the pruner computed gradients. */
  public Optional<Tensor> gradient(String name) {
    return gradients == null ? Optional.empty() : Optional.ofNullable(gradients.get(name));
  }

  /** The accumulated Hessian-diagonal estimate of a parameter, when computed. */
  public Optional<Tensor> hessianDiagonal(String name) {
    return hessianDiagonal == null ? Optional.empty()
        : Optional.ofNullable(hessianDiagonal.get(name));
  }
}
