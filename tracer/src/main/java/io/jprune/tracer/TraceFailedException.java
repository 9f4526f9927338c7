package io.jprune.tracer;

/** The traced forward threw; the message names the op and call site that failed first. */
public final class TraceFailedException extends RuntimeException {
  private final transient TracedCall failedCall;

  TraceFailedException(String message, TracedCall failedCall, Throwable cause) {
    super(message, cause);
    this.failedCall = failedCall;
  }

  /** The innermost call that threw, or null when the failure was outside any traced call. */
  public TracedCall failedCall() {
    return failedCall;
  }
}
