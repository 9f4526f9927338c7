package io.jprune.pruner.cut;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableLongArray;

/**
 * One argument of a call site that pruning changes: at argument {@code argIndex} (0 = first
 * argument after the receiver), values equal to {@code before} become {@code after}, element by
 * element for arrays. Elements the runtime passes with other values (a batch size that differs from
 * the traced one) are left alone.
 *
 * @param argIndex index in the call's recorded arguments
 * @param before traced values (one element for a scalar argument)
 * @param after values after pruning, same length
 * @param array whether the argument is an array/list rather than a scalar
 */
public record ArgPatch(
    int argIndex, ImmutableLongArray before, ImmutableLongArray after, boolean array) {
  /**
   * @throws IllegalArgumentException when the patch changes the argument's length
   */
  public ArgPatch {
    checkArgument(
        before.length() == after.length(),
        "patch of arg %s changes its length: %s -> %s",
        argIndex,
        before,
        after);
  }

  /** Whether the new value differs from the traced one. */
  public boolean changes() {
    return !before.equals(after);
  }

  @Override
  public String toString() {
    return "arg"
        + argIndex
        + ": "
        + (array ? before + " -> " + after : before.get(0) + " -> " + after.get(0));
  }
}
