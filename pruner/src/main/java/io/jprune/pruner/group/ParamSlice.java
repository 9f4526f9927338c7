package io.jprune.pruner.group;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One slice of a registered parameter or buffer that belongs to a channel: {@code param[..., index
 * along dim, ...]}. For a grouped convolution's input columns, {@code convGroup} names the group of
 * output rows the column is used by (the same column index means a different channel in each
 * group); it is -1 everywhere else.
 *
 * @param param full registered name in the root module, e.g. {@code layer1.0.conv1.weight}
 * @param dim dimension of the parameter the slice is taken along
 * @param index index along {@code dim}
 * @param role producer, consumer or state
 * @param convGroup group of output rows for grouped-conv input columns, else -1
 */
public record ParamSlice(String param, int dim, long index, SliceRole role, int convGroup) {
  /**
   * @throws IllegalArgumentException naming the parameter when dim or index is negative
   */
  public ParamSlice {
    checkNotNull(param, "param");
    checkNotNull(role, "role");
    checkArgument(dim >= 0, "dim of %s must be >= 0, got %s", param, dim);
    checkArgument(index >= 0, "index of %s must be >= 0, got %s", param, index);
  }

  @Override
  public String toString() {
    return param + "[" + dim + ":" + index + (convGroup >= 0 ? "@g" + convGroup : "") + "]";
  }
}
