package io.jprune.pruner.importance;

import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * The tensors that accompany a parameter in a context (its gradient, its Hessian-diagonal
 * estimate), checked to be there and of the parameter's shape: a missing or stale one (computed
 * before a pruning step) would otherwise give silently wrong scores or an opaque libtorch error.
 */
final class ParamCompanions {
  private ParamCompanions() {}

  static Tensor gradient(ImportanceContext ctx, String param, String criterion) {
    return require(
        ctx,
        param,
        ctx.gradient(param),
        "gradient",
        criterion,
        "give the pruner a loss, or build the ImportanceContext with gradients");
  }

  static Tensor hessianDiagonal(ImportanceContext ctx, String param, String criterion) {
    return require(
        ctx,
        param,
        ctx.hessianDiagonal(param),
        "Hessian-diagonal estimate",
        criterion,
        "give the pruner a loss, or build the ImportanceContext with a HessianAccumulator's "
            + "diagonal()");
  }

  /**
   * The parameter's own {@code .grad()} (the live tensor, for in-place updates), which must exist:
   * regularisers run after {@code backward()}.
   */
  static Tensor liveGradient(ImportanceContext ctx, String param, String who) {
    Tensor p = ctx.tensor(param);
    Tensor g = p.grad();
    if (g == null || !g.defined()) {
      throw new IllegalStateException(
          who
              + " needs the gradient of parameter '"
              + param
              + "' but its .grad() is undefined (call backward() first; does it require grad?)");
    }
    if (!sameShape(p, g)) {
      throw new IllegalStateException(
          "the .grad() of parameter '"
              + param
              + "' has shape "
              + shape(g)
              + " but the parameter has "
              + shape(p)
              + " (stale gradient from before pruning? zero_grad(true))");
    }
    return g;
  }

  private static Tensor require(
      ImportanceContext ctx,
      String param,
      Optional<Tensor> companion,
      String what,
      String criterion,
      String hint) {
    Tensor c =
        companion
            .filter(Tensor::defined)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        criterion
                            + " needs the "
                            + what
                            + " of parameter '"
                            + param
                            + "' but the context has none ("
                            + hint
                            + ")"));
    Tensor p = ctx.tensor(param);
    if (!sameShape(p, c)) {
      throw new IllegalStateException(
          "the "
              + what
              + " of parameter '"
              + param
              + "' has shape "
              + shape(c)
              + " but the parameter has "
              + shape(p)
              + " (computed before pruning?)");
    }
    return c;
  }

  static boolean sameShape(Tensor a, Tensor b) {
    if (a.dim() != b.dim()) {
      return false;
    }
    for (int i = 0; i < a.dim(); i++) {
      if (a.size(i) != b.size(i)) {
        return false;
      }
    }
    return true;
  }

  static String shape(Tensor t) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < t.dim(); i++) {
      sb.append(i == 0 ? "" : ", ").append(t.size(i));
    }
    return sb.append(']').toString();
  }
}
