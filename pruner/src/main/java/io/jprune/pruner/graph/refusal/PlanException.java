package io.jprune.pruner.graph.refusal;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;

/** A removal that cannot be carried out; thrown before any weight changes. */
public final class PlanException extends RuntimeException {
  /** A refusal whose message names the op, layer or constraint that forbids the removal. */
  public PlanException(String message) {
    super(message);
  }

  /**
   * The refusal of a removal that leaves a tensor without a dense shape (e.g. heads losing
   * different numbers of channels), naming the tensor and the call that makes or reads it.
   */
  public static PlanException irregular(TensorRef t, TracedCall producerOrConsumer) {
    return new PlanException(
        "the removal leaves "
            + t
            + " (at "
            + producerOrConsumer.site().op()
            + " "
            + producerOrConsumer.site().location()
            + ") without a dense shape: blocks such as "
            + "heads or groups would lose different numbers of channels");
  }
}
