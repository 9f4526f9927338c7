package io.jprune.pruner.importance;

/**
 * Ready-made criteria. Defaults follow Torch-Pruning where it has them (mean over layers, then
 * divided by the group mean so groups rank together globally); every criterion is immutable and can
 * be passed to {@code Pruner.builder(..).importance(..)}. Any lambda {@code (group, context) ->
 * double[]} is a criterion too.
 */
public final class Importances {
  private Importances() {}

  /** Group Lp magnitude, mean over layers, normalised by the group mean (TP's default). */
  public static GroupMagnitude magnitude(double p) {
    return magnitude(p, Reduction.MEAN, Normalization.MEAN);
  }

  /** Group Lp magnitude with the given reduction over layers and normalisation over the group. */
  public static GroupMagnitude magnitude(
      double p, Reduction reduction, Normalization normalization) {
    return new GroupMagnitude(p, reduction, normalization, SliceSelection.DEFAULT);
  }

  /** Classic per-layer L1 filter norm: only the producing layer's weights, no normalisation. */
  public static GroupMagnitude l1Filter() {
    return magnitude(1, Reduction.FIRST, Normalization.NONE);
  }

  /**
   * Network slimming: |gamma| summed over the channel's norm layers, raw (sparse-trained gammas
   * rank globally as they are). Groups without norm scales fall back to L1 magnitude.
   */
  public static BnScale bnScale() {
    return bnScale(Reduction.SUM, Normalization.NONE);
  }

  /** Network slimming with this reduction and normalisation. */
  public static BnScale bnScale(Reduction reduction, Normalization normalization) {
    return new BnScale(reduction, normalization, false, null);
  }

  /** LAMP scores from {@code |w|^p} per parameter dim, mean over layers, not renormalised. */
  public static Lamp lamp(double p) {
    return lamp(p, Reduction.MEAN, Normalization.NONE);
  }

  /** LAMP over Lp magnitudes, with this reduction and normalisation. */
  public static Lamp lamp(double p, Reduction reduction, Normalization normalization) {
    return new Lamp(p, reduction, normalization, SliceSelection.DEFAULT);
  }

  /** First-order Taylor {@code sum |w * g|}, mean over layers, normalised by the group mean. */
  public static Taylor taylor() {
    return taylor(Reduction.MEAN, Normalization.MEAN);
  }

  /** First-order Taylor, with this reduction and normalisation. */
  public static Taylor taylor(Reduction reduction, Normalization normalization) {
    return new Taylor(false, reduction, normalization, SliceSelection.DEFAULT);
  }

  /** OBD {@code 0.5 * sum w^2 * H_diag}, mean over layers, normalised by the group mean. */
  public static Hessian hessian() {
    return hessian(Reduction.MEAN, Normalization.MEAN);
  }

  /** OBD Hessian diagonal, with this reduction and normalisation. */
  public static Hessian hessian(Reduction reduction, Normalization normalization) {
    return new Hessian(reduction, normalization, SliceSelection.DEFAULT);
  }

  /**
   * FPGM: sum of L2 distances from a channel's filter to the other filters of its producing layers,
   * mean over layers, normalised by the group mean (Torch-Pruning's defaults).
   */
  public static Fpgm fpgm() {
    return fpgm(2, Reduction.MEAN, Normalization.MEAN);
  }

  /** FPGM with Lp distances, this reduction and normalisation. */
  public static Fpgm fpgm(double p, Reduction reduction, Normalization normalization) {
    return new Fpgm(p, reduction, normalization);
  }

  /** Seeded uniform random scores, the baseline. */
  public static RandomImportance random(long seed) {
    return new RandomImportance(seed);
  }

  /** The names {@link #byName} knows, as the CLI's {@code --importance} and the agent's keys. */
  public static final java.util.List<String> NAMES =
      java.util.List.of("l1", "l2", "bn", "lamp", "taylor", "hessian", "fpgm", "random");

  /**
   * The criterion of a name in {@link #NAMES} with its defaults ({@code random} seeded with {@code
   * seed}).
   *
   * @throws IllegalArgumentException for another name
   */
  public static Importance byName(String name, long seed) {
    return switch (name) {
      case "l1" -> magnitude(1);
      case "l2" -> magnitude(2);
      case "bn" -> bnScale();
      case "lamp" -> lamp(2);
      case "taylor" -> taylor();
      case "hessian" -> hessian();
      case "fpgm" -> fpgm();
      case "random" -> random(seed);
      default ->
          throw new IllegalArgumentException(
              "unknown importance '" + name + "', expected one of " + NAMES);
    };
  }

  /** Whether the criterion of that name reads gradients (the pruner must then run a loss). */
  public static boolean needsGradients(String name) {
    return name.equals("taylor") || name.equals("hessian");
  }
}
