package io.jprune.pruner.cut;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;

/**
 * What a removal takes out of one parameter or buffer.
 *
 * @param param registered name
 * @param shape shape before pruning
 * @param removed per dim, the removed indices (sorted)
 * @param groupedColumns for a grouped conv's weight: per group of output rows, the removed input
 *     columns (sorted); empty otherwise
 */
public record ParamCut(
    String param,
    ImmutableLongArray shape,
    ImmutableMap<Integer, ImmutableLongArray> removed,
    ImmutableMap<Integer, ImmutableLongArray> groupedColumns) {

  /** Shape after pruning. */
  public long[] newShape() {
    long[] s = shape.toArray();
    removed.forEach((dim, idx) -> s[dim] -= idx.length());
    if (!groupedColumns.isEmpty()) {
      s[1] -= groupedColumns.values().iterator().next().length();
    }
    return s;
  }

  @Override
  public String toString() {
    return param + shape + " -> " + ImmutableLongArray.copyOf(newShape());
  }
}
