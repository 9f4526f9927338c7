package io.jprune.pruner.surgery;

/**
 * Told before each change surgery makes to a live model. Throwing from {@link #before} aborts the
 * surgery, which then rolls back every change made so far: the hook tests use to inject a fault at
 * any step, and a place to log progress.
 */
@FunctionalInterface
public interface SurgeryListener {
  /** The kinds of change, in the order surgery makes them. */
  enum Step {
    /** A parameter or buffer is sliced. */
    CUT,
    /** A module option is set. */
    OPTION,
    /** The argument rewrites of one call site are installed. */
    REWRITE
  }

  /** Does nothing. */
  SurgeryListener NONE = (step, index, what) -> {};

  /**
   * Called before the {@code index}-th change (from 0) of kind {@code step}.
   *
   * @param what the parameter, option or call site about to change
   */
  void before(Step step, int index, String what);
}
