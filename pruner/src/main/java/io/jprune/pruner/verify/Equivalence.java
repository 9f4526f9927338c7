package io.jprune.pruner.verify;

import io.jprune.pruner.graph.RemovalEffects;
import java.lang.ref.Reference;
import java.util.BitSet;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The equivalence oracle: compares a pruned model's output with the masked original's ({@link
 * MaskedOriginal}) on the kept output elements; {@code Pruner.pruneAndVerify} runs both.
 */
public final class Equivalence {
  private Equivalence() {}

  /** Compares the kept elements of {@code masked} with all of {@code pruned}. */
  public static EquivalenceReport compare(
      Tensor masked, Tensor pruned, BitSet removed, RemovalEffects effects) {
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
        throw new IllegalStateException(
            "pruned output has "
                + p.length
                + " elements, fewer than the kept "
                + (m.length - removed.cardinality()));
      }
      maxDiff = Math.max(maxDiff, Math.abs(m[i] - p[j]));
      if (Float.isNaN(m[i]) != Float.isNaN(p[j])) {
        maxDiff = Double.POSITIVE_INFINITY;
      }
      maxOut = Math.max(maxOut, Math.abs(m[i]));
      j++;
    }
    if (j != p.length) {
      throw new IllegalStateException(
          "pruned output has " + p.length + " elements, the kept " + "part of the masked one " + j);
    }
    return new EquivalenceReport(maxDiff, maxOut, j, effects.inexactReasons());
  }

  static float[] floats(Tensor t) {
    Tensor c = t.detach().to(torch.ScalarType.Float).contiguous().cpu();
    float[] out = new float[(int) c.numel()];
    if (out.length > 0) {
      new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
    }
    Reference.reachabilityFence(c); // owns the memory just read
    return out;
  }
}
