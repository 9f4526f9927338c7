package io.jprune.tracer;

/** Where a traced tensor value came from. */
public enum TensorOrigin {
  /** Returned by a traced call. */
  RESULT,
  /** A registered parameter of the root module (cls_token, a Linear's weight, ...). */
  PARAMETER,
  /** A registered buffer of the root module (BN running stats, ...). */
  BUFFER,
  /**
   * An argument of the root module's outermost forward: a model input. Seen either at the traced
   * call of that forward or, when nothing traced the call (reflection, a caller the agent does not
   * instrument), at the start of the forward method itself.
   */
  INPUT,
  /**
   * First seen as an argument without a traced producer, and not a model input, parameter or
   * buffer: made where jprune could not see (reflection, JNI, a class the agent does not transform)
   * or before the trace (a tensor kept in a plain Java field); also a new version of a known tensor
   * that such code changed in place between traced calls. A graph that contains one is incomplete,
   * and the pruner refuses it.
   */
  EXTERNAL
}
