package io.jprune.pruner.importance;

import java.util.List;

/**
 * How a channel's per-parameter terms combine into one score. A term is the criterion's value
 * summed over the channel's slices of one parameter along one dim (a conv's output row, the next
 * layer's input column, a norm's gamma entry; the nine rows a pixel_shuffle channel owns in one
 * conv make one term).
 */
public enum Reduction {
  /** Sum of the terms: every coupled layer counts fully. */
  SUM,
  /** Mean of the terms (Torch-Pruning's default): a layer-count-free group score. */
  MEAN,
  /** Largest term: a channel is as important as its most important layer says. */
  MAX,
  /**
   * Product of the terms (Torch-Pruning's "prod"): a channel any layer finds near-useless scores
   * near zero.
   */
  PROD,
  /**
   * Only the term of the channel's first counted OUTPUT slice, i.e. its producing (leader) layer:
   * classic per-layer filter pruning. A channel without a counted OUTPUT slice uses its first term.
   */
  FIRST;

  /** Reduces terms; a channel without terms scores 0. */
  double reduce(double[] terms, int first) {
    if (terms.length == 0) {
      return 0;
    }
    switch (this) {
      case SUM:
        return sum(terms);
      case MEAN:
        return sum(terms) / terms.length;
      case MAX:
        {
          double m = Double.NEGATIVE_INFINITY;
          for (double t : terms) {
            m = Math.max(m, t);
          }
          return m;
        }
      case PROD:
        {
          double p = 1;
          for (double t : terms) {
            p *= t;
          }
          return p;
        }
      case FIRST:
        return terms[Math.max(first, 0)];
      default:
        throw new AssertionError(this);
    }
  }

  /** One score per channel. */
  double[] reduceAll(List<SliceSums.ChannelTerms> channels) {
    double[] out = new double[channels.size()];
    for (int i = 0; i < out.length; i++) {
      SliceSums.ChannelTerms c = channels.get(i);
      out[i] = reduce(c.values(), c.first());
    }
    return out;
  }

  private static double sum(double[] terms) {
    double s = 0;
    for (double t : terms) {
      s += t;
    }
    return s;
  }

  @Override
  public String toString() {
    return name().toLowerCase();
  }
}
