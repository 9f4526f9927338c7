package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Accumulates the empirical Fisher estimate of the Hessian diagonal, {@code sum_n g_n * g_n} over
 * per-sample gradients {@code g_n}, for {@link Hessian} (OBD). Every sample adds its squared
 * gradient to the running sum; nothing is overwritten (Torch-Pruning's accumulator keyed its check
 * and its storage differently and so kept only the last sample).
 *
 * <p>{@link #diagonal()} is the sum, which is what {@link ImportanceContext#hessianDiagonal}
 * expects from the pruner's own probe; {@link #meanDiagonal()} divides by the number of samples (a
 * rescaling by a constant, which changes no ranking). A parameter missing from some samples' maps
 * (unused by that sample's loss) contributes zero for those samples.
 *
 * <p>Mutable and not thread-safe: one accumulator per scoring pass. Sums are computed on the
 * gradients' own device and dtype; the sums survive any {@code PointerScope} the caller opens.
 */
public final class HessianAccumulator {
  private final Map<String, Tensor> sums = new LinkedHashMap<>();
  private int samples;

  /** Adds {@code g * g} of one sample's gradients, by parameter name; nulls/undefined skipped. */
  public void accumulate(Map<String, Tensor> gradsOfOneSample) {
    checkNotNull(gradsOfOneSample, "gradsOfOneSample");
    try (NoGradGuard noGrad = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : gradsOfOneSample.entrySet()) {
        Tensor g = e.getValue();
        if (g == null || !g.defined()) {
          continue;
        }
        Tensor d = g.detach();
        Tensor prev = sums.get(e.getKey());
        if (prev == null) {
          Tensor sq = d.mul(d);
          sq.retainReference(); // keep it alive past the caller's PointerScope; GC still frees it
          sums.put(e.getKey(), sq);
        } else {
          checkArgument(
              ParamCompanions.sameShape(prev, d),
              "gradient of '%s' has shape %s in this sample but %s before (pruned between "
                  + "samples? call reset())",
              e.getKey(),
              ParamCompanions.shape(d),
              ParamCompanions.shape(prev));
          prev.add_(d.mul(d));
        }
      }
    }
    samples++;
  }

  /** Number of {@link #accumulate} calls since creation or {@link #reset()}. */
  public int samples() {
    return samples;
  }

  /** The sum of squared gradients by parameter name (copies; later samples do not change them). */
  public ImmutableMap<String, Tensor> diagonal() {
    ImmutableMap.Builder<String, Tensor> out = ImmutableMap.builder();
    sums.forEach((k, v) -> out.put(k, v.clone()));
    return out.build();
  }

  /** The mean of squared gradients over the samples seen. */
  public ImmutableMap<String, Tensor> meanDiagonal() {
    checkState(samples > 0, "no samples accumulated yet");
    ImmutableMap.Builder<String, Tensor> out = ImmutableMap.builder();
    sums.forEach((k, v) -> out.put(k, v.div(new Scalar((double) samples))));
    return out.build();
  }

  /** Forgets all samples (e.g. after a pruning step changed the shapes). */
  public void reset() {
    sums.clear();
    samples = 0;
  }
}
