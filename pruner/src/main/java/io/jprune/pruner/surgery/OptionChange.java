package io.jprune.pruner.surgery;

import io.jprune.pruner.module.LiveOptions;
import java.util.Arrays;

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
    LiveOptions.write(target, v);
  }

  boolean changes() {
    return !Arrays.equals(before, after);
  }

  @Override
  public String toString() {
    return module + "." + option + ": " + Arrays.toString(before) + " -> " + Arrays.toString(after);
  }
}
