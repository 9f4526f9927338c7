package io.jprune.pruner.graph.refusal;

import io.jprune.tracer.TracedCall;

/** A traced op jprune has no exact channel rule for; names the op and its call site. */
public final class UnsupportedOpException extends RuntimeException {
  /** A refusal of {@code call}, naming its op and call site, and why. */
  public UnsupportedOpException(TracedCall call, String why) {
    super("unsupported op " + describe(call) + " at " + call.site().location() + ": " + why);
  }

  static String describe(TracedCall call) {
    return call.isModuleCall()
        ? call.moduleType().substring(call.moduleType().lastIndexOf('.') + 1)
            + ".forward ("
            + call.modulePath()
            + ")"
        : call.site().op();
  }
}
