package io.jprune.agent;

import java.lang.reflect.InvocationTargetException;

/**
 * Arms in-application pruning for {@code prune=}/{@code load=}: hands the configuration to {@code
 * io.jprune.pruner.app.AppPruning}, which waits for the application's root forward (or its exit, or
 * its {@code module.load}). Reached by reflection because the pruner depends on the agent, not the
 * reverse: the agent jar built by the pruner module carries it ({@code
 * pruner/target/jprune-agent.jar}); the tracing-only jar does not, and is refused here. The pruner
 * logs through the {@code System.Logger} {@code io.jprune.agent.prune}.
 */
final class PruningHook {
  private static final String PRUNING = "io.jprune.pruner.app.AppPruning";

  private PruningHook() {}

  /**
   * Arms pruning as {@code config} asks.
   *
   * @throws IllegalStateException when the pruner is not visible or refuses the configuration
   */
  static void arm(AgentConfig config) {
    Class<?> pruning;
    try {
      pruning = Class.forName(PRUNING, true, PruningHook.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "jprune agent arguments 'prune'/'load' need the pruner,"
              + " which this agent jar does not hold: use pruner/target/jprune-agent.jar (or put"
              + " jprune-pruner on the class path)",
          e);
    }
    try {
      pruning.getMethod("arm", String.class).invoke(null, config.toArgs());
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r
          ? r
          : new IllegalStateException(PRUNING + ".arm failed: " + cause, cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(PRUNING + ".arm is missing: " + e, e);
    }
  }
}
