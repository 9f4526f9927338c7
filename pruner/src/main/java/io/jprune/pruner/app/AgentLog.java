package io.jprune.pruner.app;

import java.util.function.Supplier;

/**
 * The pruning agent's messages, through the {@link System.Logger} {@value #LOGGER}: a child of the
 * tracing agent's {@code io.jprune.agent}, so that one setting in the logging configuration covers
 * both (java.util.logging unless the application plugs in another backend).
 *
 * <ul>
 *   <li>What the user asked for and got (the summary of a prune, the directory written, a saved
 *       pruning re-applied) at INFO, which java.util.logging's default console handler shows: a
 *       user sees the summary line without configuring anything. {@code io.jprune.agent.level =
 *       WARNING} in the logging configuration turns it off.
 *   <li>What the agent is doing (armed, each step) at DEBUG, or at INFO with {@code verbose=true}:
 *       quiet by default, as the tracing agent.
 *   <li>What went wrong at WARNING.
 * </ul>
 *
 * Messages start with {@code jprune: }, so they read as jprune's under any log format.
 */
final class AgentLog {
  /** The pruning agent's logger name. */
  static final String LOGGER = "io.jprune.agent.prune";

  private final System.Logger logger;
  private final boolean verbose;

  private AgentLog(System.Logger logger, boolean verbose) {
    this.logger = logger;
    this.verbose = verbose;
  }

  /** The log of an agent started with {@code verbose=verbose}. */
  static AgentLog of(boolean verbose) {
    return new AgentLog(System.getLogger(LOGGER), verbose);
  }

  /**
   * The same log for a shutdown hook registered now: its records survive java.util.logging's own
   * reset at exit ({@link ExitLogger}). Call it before the JVM exits, not from the hook.
   */
  AgentLog forExitHook() {
    return new AgentLog(ExitLogger.of(LOGGER), verbose);
  }

  /** Logs what the user asked for and got, at INFO. */
  void result(String message) {
    logger.log(System.Logger.Level.INFO, "jprune: " + message);
  }

  /** Logs what went wrong, at WARNING. */
  void problem(String message) {
    logger.log(System.Logger.Level.WARNING, "jprune: " + message);
  }

  /** Logs what the agent is doing: at INFO with {@code verbose=true}, else at DEBUG. */
  void detail(Supplier<String> message) {
    logger.log(
        verbose ? System.Logger.Level.INFO : System.Logger.Level.DEBUG,
        () -> "jprune: " + message.get());
  }
}
