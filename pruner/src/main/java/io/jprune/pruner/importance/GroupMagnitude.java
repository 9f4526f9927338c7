package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.PruningGroup;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Group magnitude (L1, L2, Lp): a channel's term for a parameter is the sum of {@code |w|^p} over
 * its slices of that parameter (the p-norm to the power p, as Torch-Pruning computes it), terms are
 * combined with a {@link Reduction} and the group's scores rescaled with a {@link Normalization}.
 * Small-magnitude channels contribute little to the next layer, the classic reason to remove them
 * first.
 */
public final class GroupMagnitude implements Importance {
  private final double p;
  private final Reduction reduction;
  private final Normalization normalization;
  private final SliceSelection selection;

  GroupMagnitude(
      double p, Reduction reduction, Normalization normalization, SliceSelection selection) {
    checkArgument(p > 0 && Double.isFinite(p), "norm degree p must be positive, got %s", p);
    this.p = p;
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
    this.selection = checkNotNull(selection, "selection");
  }

  /** The same criterion reading other slices (e.g. with biases, or OUTPUT only). */
  public GroupMagnitude withSelection(SliceSelection newSelection) {
    return new GroupMagnitude(p, reduction, normalization, newSelection);
  }

  /** The norm of each slice (1: L1, 2: L2). */
  public double p() {
    return p;
  }

  /** How a channel's slice scores combine. */
  public Reduction reduction() {
    return reduction;
  }

  /** How the group's scores are normalised. */
  public Normalization normalization() {
    return normalization;
  }

  /** Which slices count. */
  public SliceSelection selection() {
    return selection;
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    SliceSums sums = SliceSums.of(group, context, selection::accepts);
    double[] raw =
        reduction.reduceAll(
            sums.terms(
                sums.vectors(
                    new PowAbs(p),
                    (name, scratch) ->
                        powAbs(HostVectors.widen(context.tensor(name).detach()), p, scratch))));
    return normalization.apply(raw);
  }

  /** The name of {@code |w|^p} of a parameter w, for sharing its per-index sums. */
  record PowAbs(double p) {}

  /**
   * {@code |t|^p} written into {@code scratch}, exact multiplications for p = 1 and 2 (the values a
   * fresh {@code t.mul(t)} holds).
   */
  static Tensor powAbs(Tensor t, double p, Scratch scratch) {
    Tensor out = scratch.like(t);
    // The _out ops and pow_ return a Tensor& that the bindings wrap without owning: returned, it
    // dangles once out is collected. out is the owner, so out is what goes back.
    if (p == 1) {
      torch.abs_out(out, t);
    } else if (p == 2) {
      torch.mul_out(out, t, t);
    } else {
      torch.abs_out(out, t);
      out.pow_(new Scalar(p));
    }
    return out;
  }

  @Override
  public String name() {
    String norm = p == Math.rint(p) ? "L" + (long) p : "L" + p;
    return "magnitude(" + norm + ", " + reduction + ", " + normalization + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
