package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * FPGM (He et al. 2019, filter pruning via geometric median): a filter close to all the others of
 * its layer is one the others can stand in for, whatever its norm. A channel's term for a producing
 * weight is the sum of the Lp distances from its filter (its slice along the output dim, flattened)
 * to every filter of that weight, summed over the rows it owns (nine for a pixel_shuffle(3)
 * channel); the smallest sums go first.
 *
 * <p>As in Torch-Pruning, only producing slices count (OUTPUT, no biases), and only weights with at
 * least two dims (conv, linear, embedding; a norm's gamma is one number per channel, with no
 * geometry). A group without such a weight scores 0 everywhere.
 */
public final class Fpgm implements Importance {
  private static final SliceSelection PRODUCERS = SliceSelection.of(false, SliceRole.OUTPUT);

  private final double p;
  private final Reduction reduction;
  private final Normalization normalization;

  Fpgm(double p, Reduction reduction, Normalization normalization) {
    checkArgument(p > 0 && Double.isFinite(p), "distance degree p must be positive, got %s", p);
    this.p = p;
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    SliceSums sums = SliceSums.of(group, context, s -> counts(s, context));
    return normalization.apply(
        reduction.reduceAll(
            sums.terms(
                sums.perIndex(
                    k -> {
                      Tensor w = HostVectors.widen(context.tensor(k.param()).detach());
                      Tensor filters = w.movedim(k.dim(), 0).reshape(w.size(k.dim()), -1);
                      // compute_mode 0: libtorch's default (matrix products past 25 filters), as TP
                      // uses
                      return torch.cdist(filters, filters, p, new LongOptional(0)).sum(1L);
                    }))));
  }

  private static boolean counts(ParamSlice s, ImportanceContext context) {
    return PRODUCERS.accepts(s) && s.convGroup() < 0 && context.tensor(s.param()).dim() >= 2;
  }

  /** The norm of the distances between filters. */
  public double p() {
    return p;
  }

  @Override
  public String name() {
    return "fpgm(p="
        + (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p))
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
