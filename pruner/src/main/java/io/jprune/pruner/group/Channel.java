package io.jprune.pruner.group;

import com.google.common.collect.ImmutableList;

/**
 * One prunable unit of a group: the parameter slices that can only go together (a conv's output row
 * with its bias and BN entries and the next layers' input columns; for pixel_shuffle(3), nine conv
 * rows and one consumer column).
 *
 * @param index position in the group, the index users prune by
 * @param slices every slice that goes with it
 * @param inexactReason why the pruned output may differ from the masked original's, or null
 */
public record Channel(int index, ImmutableList<ParamSlice> slices, String inexactReason) {

  /** Slices of one parameter and dim, in index order. */
  public ImmutableList<ParamSlice> slicesOf(String param, int dim) {
    return slices.stream()
        .filter(s -> s.param().equals(param) && s.dim() == dim)
        .collect(ImmutableList.toImmutableList());
  }

  /** The producing slices (zeroed in the masked original). */
  public ImmutableList<ParamSlice> outputs() {
    return slices.stream()
        .filter(s -> s.role() == SliceRole.OUTPUT)
        .collect(ImmutableList.toImmutableList());
  }
}
