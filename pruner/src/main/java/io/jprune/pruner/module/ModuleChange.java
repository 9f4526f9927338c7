package io.jprune.pruner.module;

/**
 * A removal seen from one module, for {@link ModuleKind#options}: the pruned shapes of its first
 * call, its options as they are, and the indices cut from its parameters.
 */
public interface ModuleChange {
  /** The module's path in the model. */
  String path();

  /** Shape of the first tensor input of its first call after the removal. */
  long[] input();

  /** Shape of the first tensor output of its first call after the removal. */
  long[] output();

  /** The current value of an option ({@code child.option}: of a submodule). */
  long[] current(String option);

  /** Indices removed from a parameter of this module along {@code dim} (local name), sorted. */
  long[] removed(String localParam, int dim);

  /** Shape of a parameter of this module (local name) after the removal; null when absent. */
  long[] shapeAfter(String localParam);

  /** The exception that refuses the removal (nothing has changed yet). */
  RuntimeException refuse(String why);
}
