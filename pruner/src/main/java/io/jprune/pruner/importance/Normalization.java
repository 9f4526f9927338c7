package io.jprune.pruner.importance;

import java.util.Arrays;

/**
 * Rescales one group's channel scores so that scores of different groups can be ranked together
 * (global pruning): a wide residual stream and a narrow bottleneck have very different raw norms.
 * The formulas are Torch-Pruning's {@code _normalize}. A zero denominator (all scores zero) leaves
 * the scores as they are instead of producing NaN.
 */
public enum Normalization {
  /** Raw scores. */
  NONE,
  /** Divided by their mean. */
  MEAN,
  /** Divided by their maximum. */
  MAX,
  /** Divided by their sum. */
  SUM,
  /**
   * Divided by the median, the score of rank {@code floor(n / 2)} in ascending order
   * (Torch-Pruning's "sentinel_0.5"): robust to a few huge scores, which MEAN and MAX are not.
   */
  MEDIAN,
  /**
   * Min-max scaled: {@code (s - min) / (max - min + 1e-8)} (what Torch-Pruning calls
   * "standarization").
   */
  STANDARDIZATION,
  /** Z-scores: {@code (s - mean) / (std + 1e-8)} with the unbiased (n-1) standard deviation. */
  GAUSSIAN;

  private static final double EPS = 1e-8;

  /** Normalised copy of the scores. */
  public double[] apply(double[] scores) {
    double[] out = scores.clone();
    int n = out.length;
    if (n == 0 || this == NONE) {
      return out;
    }
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : out) {
      sum += s;
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    double mean = sum / n;
    switch (this) {
      case MEAN:
        return divide(out, mean);
      case MAX:
        return divide(out, max);
      case SUM:
        return divide(out, sum);
      case MEDIAN:
        {
          double[] sorted = out.clone();
          Arrays.sort(sorted);
          return divide(out, sorted[n / 2]);
        }
      case STANDARDIZATION:
        for (int i = 0; i < n; i++) {
          out[i] = (out[i] - min) / (max - min + EPS);
        }
        return out;
      case GAUSSIAN:
        {
          double ss = 0;
          for (double s : out) {
            ss += (s - mean) * (s - mean);
          }
          double std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
          for (int i = 0; i < n; i++) {
            out[i] = (out[i] - mean) / (std + EPS);
          }
          return out;
        }
      default:
        throw new AssertionError(this);
    }
  }

  private static double[] divide(double[] s, double d) {
    if (d == 0) {
      return s;
    }
    for (int i = 0; i < s.length; i++) {
      s[i] /= d;
    }
    return s;
  }

  @Override
  public String toString() {
    return name().toLowerCase();
  }
}
