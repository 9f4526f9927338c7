package io.jprune.pruner.surgery;

import java.util.Arrays;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.LongVector;

/**
 * One module option that forward reads (LayerNorm normalized_shape, conv groups, ...) or that
 * should stay true after pruning (in/out features), with its value before and after.
 *
 * @param module module path
 * @param option option name
 * @param target live pointer into the module's options
 * @param before value before pruning
 * @param after value after pruning
 */
record OptionChange(String module, String option, Object target, long[] before, long[] after) {

  void apply() {
    write(after);
  }

  void restore() {
    write(before);
  }

  private void write(long[] v) {
    if (target instanceof LongPointer p) {
      p.put(v[0]);
    } else if (target instanceof LongVector vec) {
      vec.put(v);
    } else {
      throw new IllegalStateException("cannot write option " + option + " of " + module);
    }
  }

  static long[] read(Object target) {
    if (target instanceof LongPointer p) {
      return new long[] {p.get()};
    }
    if (target instanceof LongVector v) {
      return v.get();
    }
    throw new IllegalArgumentException("unsupported option pointer " + target);
  }

  boolean changes() {
    return !Arrays.equals(before, after);
  }

  @Override
  public String toString() {
    return module + "." + option + ": " + Arrays.toString(before) + " -> "
        + Arrays.toString(after);
  }
}
