package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.PruningGroup;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * LAMP (Lee et al. 2021, layer-adaptive magnitude pruning): within each parameter dim, an index's
 * magnitude {@code v_i} (sum of {@code |w|^p} over its slice, p = 2 in the paper) is divided by the
 * total magnitude of the indices at least as large: {@code v_i / sum_{j: v_j >= v_i} v_j}. The
 * largest index of every layer scores 1, so layers of different widths and scales compete fairly in
 * a global ranking without further normalisation. The per-index LAMP scores of a channel are then
 * summed per parameter and combined across parameters with a {@link Reduction}.
 *
 * <p>The denominator is taken over the whole parameter dim (all its indices, whether or not this
 * group owns them); for grouped-conv columns, over all (conv group, column) entries. Ties share the
 * same denominator, as the formula says.
 */
public final class Lamp implements Importance {
  private final double p;
  private final Reduction reduction;
  private final Normalization normalization;
  private final SliceSelection selection;

  Lamp(double p, Reduction reduction, Normalization normalization, SliceSelection selection) {
    checkArgument(p > 0 && Double.isFinite(p), "norm degree p must be positive, got %s", p);
    this.p = p;
    this.reduction = checkNotNull(reduction, "reduction");
    this.normalization = checkNotNull(normalization, "normalization");
    this.selection = checkNotNull(selection, "selection");
  }

  /** The same criterion reading other slices. */
  public Lamp withSelection(SliceSelection newSelection) {
    return new Lamp(p, reduction, normalization, newSelection);
  }

  @Override
  public double[] score(PruningGroup group, ImportanceContext context) {
    SliceSums sums = SliceSums.of(group, context, selection::accepts);
    Map<SliceSums.Key, double[]> magnitudes =
        sums.vectors(
            new GroupMagnitude.PowAbs(p),
            (name, scratch) ->
                GroupMagnitude.powAbs(
                    HostVectors.widen(context.tensor(name).detach()), p, scratch));
    Map<SliceSums.Key, double[]> scores = new LinkedHashMap<>();
    magnitudes.forEach((k, v) -> scores.put(k, lamp(v)));
    return normalization.apply(reduction.reduceAll(sums.terms(scores)));
  }

  /**
   * {@code v_i / sum_{j: v_j >= v_i} v_j} for non-negative {@code v}: sorted ascending, suffix
   * sums, ties given the suffix sum from the first of their run. An all-zero tail scores 0.
   */
  static double[] lamp(double[] v) {
    int n = v.length;
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> v[i]));
    double[] suffix = new double[n + 1];
    for (int k = n - 1; k >= 0; k--) {
      suffix[k] = suffix[k + 1] + v[order[k]];
    }
    double[] out = new double[n];
    int start = 0;
    for (int k = 0; k < n; k++) {
      if (k > 0 && v[order[k]] != v[order[k - 1]]) {
        start = k;
      }
      double denominator = suffix[start];
      out[order[k]] = denominator == 0 ? 0 : v[order[k]] / denominator;
    }
    return out;
  }

  @Override
  public String name() {
    return "lamp(p=" + p + ", " + reduction + ", " + normalization + ")";
  }

  @Override
  public String toString() {
    return name();
  }
}
