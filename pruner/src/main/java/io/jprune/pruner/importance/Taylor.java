package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.PruningGroup;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * First-order Taylor importance (Molchanov et al. 2019): removing a weight changes the loss by
 * about {@code -w * dL/dw}, so a channel whose weights barely move the loss can go. By default
 * (Torch-Pruning's) a channel's term for a parameter is {@code sum |w * g|} over its slices; the
 * multivariable variant takes {@code |sum w * g|} per slice, the first-order loss change of
 * removing the whole slice at once. Terms combine with a {@link Reduction}, then {@link
 * Normalization}.
 *
 * <p>Gradients come from {@link ImportanceContext#gradient}; a counted parameter without one is an
 * {@link IllegalStateException} naming it.
 */
public final class Taylor implements Importance {
  private final boolean multivariable;
  private final Reduction reduction;
  private final Normalization normalization;
  private final SliceSelection selection;

  Taylor(
      boolean multivariable,
      Reduction reduction,
      Normalization normalization,
      SliceSelection selection) {
    this.multivariable = multivariable;
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
    this.selection = checkNotNull(selection, "selection");
  }

  /** The same criterion reading other slices. */
  public Taylor withSelection(SliceSelection newSelection) {
    return new Taylor(multivariable, reduction, normalization, newSelection);
  }

  /** The variant scoring {@code |sum over slice of w * g|}. */
  public Taylor multivariable() {
    return new Taylor(true, reduction, normalization, selection);
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    SliceSums sums = SliceSums.of(group, context, selection::accepts);
    Map<SliceSums.Key, double[]> v =
        sums.vectors(
            multivariable ? "taylor: w*g" : "taylor: |w*g|",
            name -> {
              Tensor w = HostVectors.widen(context.tensor(name).detach());
              Tensor g =
                  HostVectors.widen(ParamCompanions.gradient(context, name, name()).detach());
              Tensor wg = w.mul(g);
              return multivariable ? wg : wg.abs();
            });
    if (multivariable) {
      v.replaceAll((k, sum) -> abs(sum)); // copies: the sums may be shared with other groups
    }
    return normalization.apply(reduction.reduceAll(sums.terms(v)));
  }

  private static double[] abs(double[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = Math.abs(a[i]);
    }
    return out;
  }

  @Override
  public String name() {
    return "taylor("
        + (multivariable ? "|sum w*g|" : "sum |w*g|")
        + ", "
        + reduction
        + ", "
        + normalization
        + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
