package io.jprune.tracer;

import io.jprune.tracer.export.TraceDot;
import io.jprune.tracer.export.TraceJson;
import io.jprune.tracer.site.CallSiteInfo;
import io.jprune.tracer.site.SiteInterceptor;
import io.jprune.tracer.site.SiteInvoker;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.pytorch.Module;

/**
 * Whole-application recording for {@code -javaagent:jprune-agent.jar=trace=FILE}: the first
 * outermost module forward seen, on any thread, names the root, and the calls of that first root
 * forward (on its thread) are traced and written at JVM exit. Recording has no side effects: the
 * forward runs in the application's grad mode, draws the same random numbers and returns the same
 * tensors, so a seeded training run prints the same losses with and without {@code trace=}. Called reflectively by the agent so the agent does
 * not link libtorch classes at premain.
 */
public final class AgentRecording {
  private static final Object LOCK = new Object();
  private static Trace trace;
  private static boolean started;

  private AgentRecording() {}

  /** Arms the recording: the next top-level module forward is traced. */
  public static AutoCloseable start() {
    synchronized (LOCK) {
      if (!started) {
        started = true;
        Sites.intercept(new FirstForward());
      }
    }
    return () -> { };
  }

  /** Writes the recorded trace as JSON; false when nothing was recorded. */
  public static boolean writeJson(Path file) throws IOException {
    Trace t = recorded();
    if (t != null) {
      TraceJson.write(t, file);
    }
    return t != null;
  }

  /** Writes the recorded trace as DOT; false when nothing was recorded. */
  public static boolean writeDot(Path file) throws IOException {
    Trace t = recorded();
    if (t != null) {
      TraceDot.write(t, file);
    }
    return t != null;
  }

  private static Trace recorded() {
    synchronized (LOCK) {
      return trace;
    }
  }

  /** Waits for the first module forward, then hands the sites to a real session for it. */
  private static final class FirstForward implements SiteInterceptor {
    @Override
    public Object intercept(CallSiteInfo site, Object[] args, SiteInvoker proceed)
        throws Throwable {
      if (site.kind() != SiteKind.MODULE_FORWARD || !(args[0] instanceof Module root)) {
        return proceed.invoke(args);
      }
      synchronized (LOCK) {
        if (trace != null || !Sites.intercepting()) {
          return proceed.invoke(args);
        }
        Sites.stopIntercepting();
      }
      // The app's own forward, maybe a training step: it keeps the app's grad mode (no-grad would
      // lose this step's gradients) and computes exactly what it would without the agent.
      TraceSession session = TraceSession.startWithGrad(root);
      try {
        return session.intercept(site, args, proceed);
      } finally {
        Trace done = session.finish();
        synchronized (LOCK) {
          trace = done;
        }
      }
    }
  }
}
