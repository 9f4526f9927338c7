package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;

/**
 * Network slimming (Liu et al. 2017): a channel is as important as the absolute scale |gamma| its
 * normalisation layers give it, summed over the channel's norm layers by default. Meaningful after
 * sparse training with {@link BnScaleRegularizer}, which drives unneeded gammas to zero.
 *
 * <p>Norm scales are found by {@link NormWeightRule}. A group in which some channel has no norm
 * scale (no norm layer after the producer, or a concat of normed and un-normed branches) is scored
 * entirely by the fallback criterion (L1 magnitude with the same reduction and normalisation by
 * default), so that all channels of a group are ranked by one measure.
 */
public final class BnScale implements Importance {
  private final Reduction reduction;
  private final Normalization normalization;
  private final NormWeightRule rule;
  private final Importance fallback;

  BnScale(
      Reduction reduction,
      Normalization normalization,
      boolean batchNormOnly,
      Importance fallback) {
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
    this.rule = new NormWeightRule(batchNormOnly);
    this.fallback =
        fallback != null
            ? fallback
            : new GroupMagnitude(1, reduction, normalization, SliceSelection.DEFAULT);
  }

  /** The same criterion, counting only BatchNorm gammas (those with a running_var sibling). */
  public BnScale batchNormOnly() {
    return new BnScale(reduction, normalization, true, fallback);
  }

  /** The same criterion with another fallback for groups without norm scales. */
  public BnScale withFallback(Importance newFallback) {
    return new BnScale(
        reduction, normalization, rule.batchNormOnly(), checkNotNull(newFallback, "fallback"));
  }

  /** The criterion for groups without norm scales. */
  public Importance fallback() {
    return fallback;
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    if (!everyChannelHasScale(group, context)) {
      return fallback.score(group, context);
    }
    SliceSums sums = SliceSums.of(group, context, s -> rule.test(s, context));
    double[] raw =
        reduction.reduceAll(
            sums.terms(
                sums.vectors(
                    new GroupMagnitude.PowAbs(1),
                    name -> HostVectors.widen(context.tensor(name).detach()).abs())));
    return normalization.apply(raw);
  }

  private boolean everyChannelHasScale(PruningGroup group, ImportanceContext context) {
    for (Channel c : group.channels()) {
      boolean found = false;
      for (ParamSlice s : c.slices()) {
        if (rule.test(s, context)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return group.size() > 0;
  }

  @Override
  public String name() {
    return "bnScale(" + rule + ", " + reduction + ", " + normalization + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
