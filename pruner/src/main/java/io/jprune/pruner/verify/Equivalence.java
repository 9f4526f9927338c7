package io.jprune.pruner.verify;

import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.tracer.TensorRef;
import java.util.BitSet;
import java.util.function.Supplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The equivalence oracle: prune, and compare the pruned model's output with the masked
 * original's on the kept output elements.
 */
public final class Equivalence {
  private Equivalence() {}

  /**
   * Runs the masked original, applies the surgery, runs the pruned model and compares.
   *
   * @param output the traced output tensor of the forward (to know which elements are kept)
   */
  public static EquivalenceReport pruneAndCompare(Module root, RemovalEffects effects,
      TensorRef output, Supplier<Tensor> forward) {
    Supplier<Tensor> noGrad = () -> {
      try (NoGradGuard g = new NoGradGuard()) {
        return forward.get();
      }
    };
    Tensor masked = MaskedOriginal.output(root, effects, noGrad);
    Surgery.apply(root, effects);
    Tensor pruned = noGrad.get();
    return compare(masked, pruned, effects.removedElements(output), effects);
  }

  /** Compares the kept elements of {@code masked} with all of {@code pruned}. */
  public static EquivalenceReport compare(Tensor masked, Tensor pruned, BitSet removed,
      RemovalEffects effects) {
    float[] m = floats(masked);
    float[] p = floats(pruned);
    double maxDiff = 0;
    double maxOut = 0;
    int j = 0;
    for (int i = 0; i < m.length; i++) {
      if (removed.get(i)) {
        continue;
      }
      if (j >= p.length) {
        throw new IllegalStateException("pruned output has " + p.length
            + " elements, fewer than the kept " + (m.length - removed.cardinality()));
      }
      maxDiff = Math.max(maxDiff, Math.abs(m[i] - p[j]));
      if (Float.isNaN(m[i]) != Float.isNaN(p[j])) {
        maxDiff = Double.POSITIVE_INFINITY;
      }
      maxOut = Math.max(maxOut, Math.abs(m[i]));
      j++;
    }
    if (j != p.length) {
      throw new IllegalStateException("pruned output has " + p.length + " elements, the kept "
          + "part of the masked one " + j);
    }
    return new EquivalenceReport(maxDiff, maxOut, j, effects.inexactReasons());
  }

  static float[] floats(Tensor t) {
    Tensor c = t.detach().to(torch.ScalarType.Float).contiguous().cpu();
    float[] out = new float[(int) c.numel()];
    if (out.length > 0) {
      new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
    }
    return out;
  }
}
