package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Group lasso over coupled channels (Torch-Pruning's GroupNormPruner): the penalty {@code lambda *
 * sum_c ||c||_2}, where {@code ||c||_2} is the L2 norm of all of channel c's counted slices across
 * every coupled layer, pushes whole channels (not single weights) to zero together. Its gradient
 * {@code lambda * w / ||c||_2} is added to the {@code .grad()} of every counted slice. A weight
 * shared by two channels of a group (a grouped conv's row and column) gets both channels' terms,
 * which is the exact gradient. A channel whose norm is zero gets no update (its weights are zero
 * already).
 *
 * <p>Counted slices follow a {@link SliceSelection}: OUTPUT and INPUT weights, no biases, by
 * default.
 */
public final class GroupLassoRegularizer implements SparsityRegularizer {
  private final double lambda;
  private final SliceSelection selection;

  /**
   * The penalty with this strength over the default slice selection.
   *
   * @throws IllegalArgumentException when lambda is negative or not finite
   */
  public GroupLassoRegularizer(double lambda) {
    this(lambda, SliceSelection.DEFAULT);
  }

  /**
   * The penalty with this strength over the slices {@code selection} accepts.
   *
   * @throws IllegalArgumentException when lambda is negative or not finite
   */
  public GroupLassoRegularizer(double lambda, SliceSelection selection) {
    checkArgument(lambda >= 0 && Double.isFinite(lambda), "lambda must be >= 0, got %s", lambda);
    this.lambda = lambda;
    this.selection = checkNotNull(selection, "selection");
  }

  /** The penalty's strength. */
  public double lambda() {
    return lambda;
  }

  @Override
  public void apply(List<PruningGroup> groups, ImportanceContext context) {
    for (PruningGroup group : groups) {
      SliceSums sums = SliceSums.of(group, context, selection::accepts);
      if (sums.isEmpty()) {
        continue;
      }
      double[] norms = channelNorms(sums, context);
      Map<SliceSums.Key, double[]> scales = new LinkedHashMap<>();
      for (Channel c : group.channels()) {
        double s = norms[c.index()] > 0 ? lambda / norms[c.index()] : 0;
        for (ParamSlice slice : c.slices()) {
          if (sums.accepts(slice)) {
            scales
                    .computeIfAbsent(
                        SliceSums.keyOf(slice), k -> new double[(int) length(k, sums, context)])[
                    (int) sums.position(slice)] =
                s;
          }
        }
      }
      try (PointerScope scope = new PointerScope();
          NoGradGuard noGrad = new NoGradGuard()) {
        scales.forEach(
            (k, v) -> {
              Tensor w = context.tensor(k.param()).detach();
              Tensor grad = ParamCompanions.liveGradient(context, k.param(), "group lasso");
              grad.add_(w.mul(broadcast(k, v, w, sums)).to(grad));
            });
      }
    }
  }

  @Override
  public double penalty(List<PruningGroup> groups, ImportanceContext context) {
    double total = 0;
    for (PruningGroup group : groups) {
      SliceSums sums = SliceSums.of(group, context, selection::accepts);
      if (sums.isEmpty()) {
        continue;
      }
      for (double n : channelNorms(sums, context)) {
        total += n;
      }
    }
    return lambda * total;
  }

  /** Per channel, the L2 norm over all its counted slices. */
  private static double[] channelNorms(SliceSums sums, ImportanceContext context) {
    double[] sq =
        Reduction.SUM.reduceAll(
            sums.terms(
                sums.vectors(
                    name -> {
                      Tensor w = HostVectors.widen(context.tensor(name).detach());
                      return w.mul(w);
                    })));
    for (int i = 0; i < sq.length; i++) {
      sq[i] = Math.sqrt(sq[i]);
    }
    return sq;
  }

  /** Entries of a key's vector: the size along dim, times the conv groups when grouped. */
  private static long length(SliceSums.Key k, SliceSums sums, ImportanceContext context) {
    long n = context.tensor(k.param()).size(k.dim());
    return k.grouped() ? n * sums.convGroups(k.param()) : n;
  }

  /** The key's per-entry scales as a tensor broadcasting against the weight. */
  private static Tensor broadcast(SliceSums.Key k, double[] v, Tensor w, SliceSums sums) {
    long[] shape = new long[(int) w.dim()];
    Arrays.fill(shape, 1);
    long n = w.size(k.dim());
    shape[k.dim()] = n;
    if (!k.grouped()) {
      return HostVectors.fromDoubles(v, w, shape);
    }
    int groups = sums.convGroups(k.param());
    long rows = w.size(0);
    shape[0] = rows;
    return HostVectors.fromDoubles(v, w, groups, n)
        .repeat_interleave(rows / groups, new LongOptional(0), new LongOptional())
        .reshape(shape);
  }

  @Override
  public String toString() {
    return "groupLassoRegularizer(lambda=" + lambda + ", " + selection + ")";
  }
}
