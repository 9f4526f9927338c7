package io.jprune.pruner.plan;

/**
 * How much of the final ratio is reached after step {@code k} of {@code n}: iterative pruning
 * removes a little, re-traces and re-scores, then removes more. Every schedule reaches the full
 * ratio at the last step.
 */
@FunctionalInterface
public interface Schedule {
  /** Fraction of the final ratio reached after step {@code k} (1-based) of {@code n}. */
  double progress(int k, int n);

  /** Equal increments: k/n. */
  static Schedule linear() {
    return (k, n) -> (double) k / n;
  }

  /** Larger steps first: 1 - (1 - k/n)^2, so later steps, on a smaller model, remove less. */
  static Schedule quadratic() {
    return (k, n) -> 1 - Math.pow(1 - (double) k / n, 2);
  }
}
