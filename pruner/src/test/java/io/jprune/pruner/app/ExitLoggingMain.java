package io.jprune.pruner.app;

import java.util.logging.Logger;

/**
 * A JVM whose shutdown hook logs once java.util.logging has reset itself (its root logger has no
 * handler left): through an {@link AgentLog} made for the hook before exit, and through a plain
 * {@code System.Logger} for comparison. Run by {@link ExitLoggerTest}.
 */
public final class ExitLoggingMain {
  private ExitLoggingMain() {}

  /** {@code args[0]}: verbose ({@code true} or {@code false}). */
  public static void main(String[] args) {
    AgentLog atExit = AgentLog.of(Boolean.parseBoolean(args[0])).forExitHook();
    System.Logger plain = System.getLogger(AgentLog.LOGGER);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  awaitReset();
                  atExit.detail(() -> "detail from the exit hook");
                  atExit.result("result from the exit hook");
                  atExit.problem("problem from the exit hook");
                  plain.log(System.Logger.Level.WARNING, "jprune: plain logger from the exit hook");
                }));
  }

  /** Waits (at most 10 s) until LogManager's own hook has taken the root logger's handlers. */
  private static void awaitReset() {
    long end = System.nanoTime() + 10_000_000_000L;
    while (Logger.getLogger("").getHandlers().length > 0 && System.nanoTime() < end) {
      Thread.onSpinWait();
    }
    System.err.println("root handlers at exit: " + Logger.getLogger("").getHandlers().length);
  }
}
