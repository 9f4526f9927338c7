package io.jprune.tracer;

/** Where a traced tensor value came from. */
public enum TensorOrigin {
  /** Returned by a traced call. */
  RESULT,
  /** A registered parameter of the root module (cls_token, a Linear's weight, ...). */
  PARAMETER,
  /** A registered buffer of the root module (BN running stats, ...). */
  BUFFER,
  /** First seen as an argument without a traced producer: model inputs and constants. */
  EXTERNAL
}
