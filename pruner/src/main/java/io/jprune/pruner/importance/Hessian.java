package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.PruningGroup;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Optimal Brain Damage (LeCun et al. 1990): at a minimum the loss increase of zeroing a weight is
 * about {@code 0.5 * H_ii * w_i^2}; a channel's term for a parameter is that saliency summed over
 * its slices. {@code H_ii} is the diagonal estimate in {@link ImportanceContext#hessianDiagonal},
 * usually the empirical Fisher from a {@link HessianAccumulator}. Terms combine with a {@link
 * Reduction}, then {@link Normalization}.
 */
public final class Hessian implements Importance {
  private final Reduction reduction;
  private final Normalization normalization;
  private final SliceSelection selection;

  Hessian(Reduction reduction, Normalization normalization, SliceSelection selection) {
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
    this.selection = checkNotNull(selection, "selection");
  }

  /** The same criterion reading other slices. */
  public Hessian withSelection(SliceSelection newSelection) {
    return new Hessian(reduction, normalization, newSelection);
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    SliceSums sums = SliceSums.of(group, context, selection::accepts);
    double[] raw =
        reduction.reduceAll(
            sums.terms(
                sums.vectors(
                    "obd: w*w*h/2",
                    name -> {
                      Tensor w = HostVectors.widen(context.tensor(name).detach());
                      Tensor h =
                          HostVectors.widen(
                              ParamCompanions.hessianDiagonal(context, name, name()).detach());
                      return w.mul(w).mul(h).mul(new Scalar(0.5));
                    })));
    return normalization.apply(raw);
  }

  @Override
  public String name() {
    return "hessian(obd, " + reduction + ", " + normalization + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
