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
 * tensors, so a seeded training run prints the same losses with and without {@code trace=}. Called
 * reflectively by the agent so the agent does not link libtorch classes at premain.
 */
public final class AgentRecording {
  private static final Object LOCK = new Object();
  private static Trace trace;
  private static boolean started;

  /** The recording of a root forward that started without a traced call, until it returns. */
  private static UntracedRoot pending;

  private AgentRecording() {}

  /** Arms the recording: the next top-level module forward is traced. */
  public static AutoCloseable start() {
    synchronized (LOCK) {
      if (!started) {
        started = true;
        Sites.intercept(new FirstForward());
      }
    }
    return () -> {};
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
    UntracedRoot open;
    synchronized (LOCK) {
      open = pending;
    }
    if (open != null) {
      open.finish(); // the JVM exits inside, or right after, a root forward nothing called
    }
    synchronized (LOCK) {
      return trace;
    }
  }

  private static void done(Trace recorded) {
    synchronized (LOCK) {
      trace = recorded;
      pending = null;
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
        done(session.finish());
      }
    }

    /**
     * A Java module's forward started and no traced call of it came first: something the agent does
     * not rewrite called it (a framework by reflection, for instance). It is the outermost forward,
     * so it is the root; its calls are recorded until it returns.
     */
    @Override
    public void enterForward(Object[] receiverAndArgs) {
      if (!(receiverAndArgs[0] instanceof Module root)) {
        return;
      }
      synchronized (LOCK) {
        if (trace != null || !Sites.intercepting()) {
          return;
        }
        Sites.stopIntercepting();
      }
      UntracedRoot recording = new UntracedRoot(root);
      synchronized (LOCK) {
        pending = recording;
      }
      recording.session.enterForward(receiverAndArgs);
    }
  }

  /**
   * Records a root forward that has no traced call around it. With no call to return from, its end
   * is read from the stack: once the root class's {@code forward} frames are fewer than at its
   * start, the forward has returned, and the next traced call on its thread finishes the trace (or
   * the JVM's exit does).
   */
  private static final class UntracedRoot implements SiteInterceptor {
    private static final StackWalker WALKER =
        StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Thread owner = Thread.currentThread();
    private final Class<?> rootClass;
    private final long framesAtEntry;
    private final TraceSession session;
    private boolean finished;

    UntracedRoot(Module root) {
      this.rootClass = root.getClass();
      this.framesAtEntry = rootForwardFrames();
      this.session = TraceSession.startBehind(root, s -> this);
    }

    private long rootForwardFrames() {
      return WALKER.walk(
          frames ->
              frames
                  .filter(
                      f ->
                          f.getMethodName().equals("forward")
                              && f.getDeclaringClass().isAssignableFrom(rootClass))
                  .count());
    }

    @Override
    public Object intercept(CallSiteInfo site, Object[] args, SiteInvoker proceed)
        throws Throwable {
      if (Thread.currentThread() == owner && rootForwardFrames() < framesAtEntry) {
        finish();
        return proceed.invoke(args);
      }
      return session.intercept(site, args, proceed);
    }

    @Override
    public void enterForward(Object[] receiverAndArgs) {
      session.enterForward(receiverAndArgs);
    }

    synchronized void finish() {
      if (!finished) {
        finished = true;
        done(session.finish());
      }
    }
  }
}
