package io.jprune.tracer;

import org.bytedeco.pytorch.Module;

/** One-call tracing: start a session, run the forward, return the trace or fail loudly. */
public final class Tracer {
  private Tracer() {}

  /**
   * Traces one run of {@code forward} (which calls the model) under no-grad.
   *
   * @throws TraceFailedException when the forward throws; the session is closed and every traced
   *     tensor released before this returns, and the message names the failing call site
   */
  public static Trace trace(Module root, TracedRun forward) {
    try (TraceSession session = TraceSession.start(root)) {
      try {
        forward.run();
      } catch (Throwable e) {
        TracedCall failed = session.failure().orElse(null);
        String where =
            failed == null
                ? "outside any traced call"
                : "in " + failed.site().op() + " at " + failed.site().location();
        throw new TraceFailedException(
            "forward of " + root.getClass().getName() + " threw " + where + ": " + e, failed, e);
      }
      return session.finish();
    }
  }
}
