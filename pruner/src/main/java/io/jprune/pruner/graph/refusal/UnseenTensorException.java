package io.jprune.pruner.graph.refusal;

import io.jprune.tracer.TensorOrigin;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;

/**
 * A traced call read a tensor whose origin jprune never saw: not a model input, a parameter, a
 * buffer or the output of a traced call; or one that was changed in place between traced calls (its
 * autograd version count moved with no traced call in between). Code the agent could not see made
 * it (reflection, JNI, a class outside the {@code packages} restriction) or it was made before the
 * trace and kept in a plain Java field; either way the graph may miss consumers of the channels it
 * would cut, so nothing is pruned on it. Thrown while the graph is built, before any change.
 */
public final class UnseenTensorException extends RuntimeException {
  private final transient TracedCall consumer;
  private final transient TensorRef tensor;

  private UnseenTensorException(TracedCall call, TensorRef tensor, String how) {
    super(
        "jprune did not see where the tensor "
            + tensor.shape()
            + " "
            + how
            + " "
            + UnsupportedOpException.describe(call)
            + " at "
            + call.site().location()
            + (tensor.version() > 0
                ? " was last changed in place: no traced call did it."
                : " came from: it is not a model input, a parameter, a buffer or the output of a"
                    + " traced call.")
            + " Code jprune could not see made it (reflection, JNI, a class the agent does not"
            + " transform, e.g. outside 'packages'), or it was made before the forward and kept in a"
            + " Java field (register it as a buffer). The graph would be incomplete, so nothing was"
            + " pruned");
    this.consumer = call;
    this.tensor = tensor;
  }

  /**
   * Refuses a trace in which a call reads an {@link TensorOrigin#EXTERNAL} tensor, or a Java
   * module's forward returns a tensor that none of its traced calls produced (its ops ran where
   * jprune could not see); names the first such call in call order.
   *
   * @throws UnseenTensorException naming the call site and the tensor's shape
   */
  public static void refuseIncomplete(Trace trace) {
    for (TracedCall call : trace.calls()) {
      for (TensorRef t : call.tensorInputs()) {
        if (t.origin() == TensorOrigin.EXTERNAL) {
          throw new UnseenTensorException(call, t, "read by");
        }
      }
      if (call.isModuleCall() && !call.isBuiltinModuleCall() && !call.expanded()) {
        for (TensorRef t : call.tensorOutputs()) {
          // A tensor a traced call made or read is known by its address: returning it again
          // makes a new version. Version 0 is a tensor first seen as this forward's result.
          if (t.version() == 0) {
            throw new UnseenTensorException(call, t, "returned by");
          }
        }
      }
    }
  }

  /** The traced call that read or returned the unseen tensor (null after deserialisation). */
  public TracedCall consumer() {
    return consumer;
  }

  /** The unseen tensor (null after deserialisation). */
  public TensorRef tensor() {
    return tensor;
  }
}
