package io.jprune.pruner.verify;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Tensor;

/**
 * How closely a pruned model follows the unpruned one where equality cannot be proven (a removed
 * channel passes a normalisation across channels): both run on the same inputs and their outputs
 * are compared.
 *
 * @param inputs forwards compared
 * @param rows output rows compared for top-1, over all inputs (a row runs along the output's last
 *     dim: the classes of a classifier)
 * @param top1Agreeing rows whose largest entry is at the same index in both outputs
 * @param relativeError {@code ||pruned - unpruned|| / ||unpruned||} (Euclidean, all outputs)
 */
public record OutputAgreement(int inputs, long rows, long top1Agreeing, double relativeError) {
  /**
   * @throws IllegalArgumentException when the counts are inconsistent
   */
  public OutputAgreement {
    checkArgument(
        inputs > 0 && rows > 0 && top1Agreeing >= 0 && top1Agreeing <= rows,
        "inconsistent agreement: %s inputs, %s of %s rows",
        inputs,
        top1Agreeing,
        rows);
  }

  /**
   * Compares the outputs of the same inputs, in order.
   *
   * @throws IllegalArgumentException when the lists differ in length or an output in shape
   */
  public static OutputAgreement measure(List<Tensor> unpruned, List<Tensor> pruned) {
    checkArgument(
        !unpruned.isEmpty() && unpruned.size() == pruned.size(),
        "%s unpruned outputs for %s pruned ones",
        unpruned.size(),
        pruned.size());
    long rows = 0;
    long agreeing = 0;
    double diff2 = 0;
    double ref2 = 0;
    for (int i = 0; i < unpruned.size(); i++) {
      Tensor a = unpruned.get(i);
      Tensor b = pruned.get(i);
      int width = a.dim() == 0 ? 1 : (int) a.size(a.dim() - 1);
      checkArgument(
          shape(a).equals(shape(b)),
          "output %s has shape %s unpruned but %s pruned",
          i,
          shape(a),
          shape(b));
      float[] u = Equivalence.floats(a);
      float[] p = Equivalence.floats(b);
      for (int k = 0; k < u.length; k++) {
        double d = (double) p[k] - u[k];
        diff2 += d * d;
        ref2 += (double) u[k] * u[k];
      }
      for (int start = 0; width > 0 && start < u.length; start += width) {
        rows++;
        agreeing += argmax(u, start, width) == argmax(p, start, width) ? 1 : 0;
      }
    }
    return new OutputAgreement(
        unpruned.size(),
        rows,
        agreeing,
        ref2 == 0 ? (diff2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff2 / ref2));
  }

  private static String shape(Tensor t) {
    StringBuilder sb = new StringBuilder("[");
    for (int d = 0; d < t.dim(); d++) {
      sb.append(d == 0 ? "" : ", ").append(t.size(d));
    }
    return sb.append(']').toString();
  }

  private static int argmax(float[] v, int start, int width) {
    int best = start;
    for (int k = start + 1; k < start + width; k++) {
      if (v[k] > v[best] || Float.isNaN(v[k])) {
        best = k;
      }
    }
    return best - start;
  }

  /** The fraction of rows whose top-1 index is the same. */
  public double top1() {
    return (double) top1Agreeing / rows;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "rel. output error %.3g, top-1 agreement %d/%d (%.1f%%) " + "over %d input%s",
        relativeError,
        top1Agreeing,
        rows,
        100 * top1(),
        inputs,
        inputs == 1 ? "" : "s");
  }
}
