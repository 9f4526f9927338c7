package io.jprune.pruner.app;

import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.Importances;

/** The criteria of the agent's {@code importance=} key, by name. */
final class Criteria {
  private Criteria() {}

  static Importance named(String name) {
    return switch (name) {
      case "l1" -> Importances.magnitude(1);
      case "l2" -> Importances.magnitude(2);
      case "bn" -> Importances.bnScale();
      case "lamp" -> Importances.lamp(2);
      case "taylor" -> Importances.taylor();
      case "hessian" -> Importances.hessian();
      case "fpgm" -> Importances.fpgm();
      case "random" -> Importances.random(0);
      default -> throw new IllegalArgumentException("unknown importance '" + name + "'");
    };
  }

  /** Whether the criterion reads gradients (a label-free loss is then run). */
  static boolean needsLoss(String name) {
    return name.equals("taylor") || name.equals("hessian");
  }
}
