package io.jprune.cli;

import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.Importances;

/** The importance criteria the command offers, by their option name. */
enum Criterion {
  L1("group L1 magnitude"),
  L2("group L2 magnitude"),
  BN("BatchNorm scale |gamma| (network slimming)"),
  LAMP("layer-adaptive magnitude (LAMP, p = 2)"),
  TAYLOR("first-order Taylor |w * dL/dw|, label-free proxy loss"),
  HESSIAN("second-order OBD (squared gradients), label-free proxy loss"),
  FPGM("geometric median: filters closest to their layer's others go first (FPGM, L2)"),
  RANDOM("seeded random scores (a baseline)");

  private final String description;

  Criterion(String description) {
    this.description = description;
  }

  Importance importance(long seed) {
    return Importances.byName(optionName(), seed);
  }

  /** Whether the criterion reads gradients, so the pruner must run a loss. */
  boolean needsLoss() {
    return Importances.needsGradients(optionName());
  }

  private String optionName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  String description() {
    return description;
  }
}
