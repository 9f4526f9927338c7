package io.jprune.pruner.module;

import com.google.common.primitives.ImmutableLongArray;

/**
 * One traced call of a module with a weight, seen after a removal, for {@link
 * ModuleKind#shapesAgree}: the shapes its first tensor input and output and its weight had when
 * traced and will have once the removal is made.
 */
public interface CallShapes {
  /** Shape of the call's first tensor input after the removal. */
  long[] input();

  /** Shape of the call's first tensor output after the removal. */
  long[] output();

  /** Shape of the call's first tensor input as traced. */
  ImmutableLongArray tracedInput();

  /** Shape of the module's {@code weight} after the removal. */
  long[] weight();

  /** Shape of the module's {@code weight} as traced. */
  ImmutableLongArray tracedWeight();
}
