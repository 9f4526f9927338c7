package io.jprune.agent;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@link LoadedClassRetransformer#sweepAgain()} on a daemon thread shortly after model classes
 * were rewritten, so that a model class that was loaded while a transformation was running on its
 * thread (the JVM shows it to no transformer of the agent) is found and retransformed even when no
 * further attach call comes (a {@code -javaagent} JVM).
 *
 * <p>{@link #request()} is called from inside the transformer: it neither blocks nor allocates.
 * Requests within {@link #QUIET_MILLIS} are merged into one sweep, which is cheap when there is
 * nothing to do (one pass over the loaded classes with cached verdicts).
 */
final class StragglerSweeper {
  static final long QUIET_MILLIS = 50;

  private final LoadedClassRetransformer retransformer;
  private final InstrumentationLog log;
  private final AtomicBoolean requested = new AtomicBoolean();
  private final Thread thread;

  StragglerSweeper(LoadedClassRetransformer retransformer, InstrumentationLog log) {
    this.retransformer = retransformer;
    this.log = log;
    this.thread = new Thread(this::loop, "jprune-straggler-sweep");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Asks for a sweep soon. */
  void request() {
    if (requested.compareAndSet(false, true)) {
      LockSupport.unpark(thread);
    }
  }

  private void loop() {
    while (true) {
      while (!requested.get()) {
        LockSupport.park(this);
      }
      try {
        Thread.sleep(QUIET_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      requested.set(false);
      try {
        retransformer.sweepAgain();
      } catch (RuntimeException | LinkageError e) {
        log.warn("sweep for model classes that missed the transformer failed: " + e);
      }
    }
  }
}
