package io.jprune.pruner.group;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;

/**
 * A constraint found in the trace: channels come in blocks that must each lose the same number of
 * channels (a reshape into heads x head_dim, a channel-shuffle view, chunk, GroupNorm groups,
 * grouped convolution). Where {@code wholeBlocksAllowed}, removing entire blocks is also valid
 * (whole attention heads, whole GroupNorm groups).
 *
 * @param source the op and call site that imposes it, for messages
 * @param blocks atoms of each block (raw atom ids; resolve them with the label pass's atom table)
 * @param coordinates coordinates of each block in the imposing tensor (e.g. (branch, head)), used
 *     to remove the same heads in every branch
 * @param kind how removals must line up across blocks
 * @param wholeBlocksAllowed whether entire blocks may go
 */
public record BlockSpec(
    String source,
    ImmutableList<ImmutableIntArray> blocks,
    ImmutableList<ImmutableLongArray> coordinates,
    Kind kind,
    boolean wholeBlocksAllowed) {

  /** How a removal must line up across the blocks. */
  public enum Kind {
    /**
     * The same positions in every block (a view that splits channels into (groups, per-group):
     * whatever follows, e.g. a transpose, sees the positions as one index).
     */
    ALIGNED,
    /** The same number in every block, positions free (GroupNorm groups, chunk, grouped conv). */
    EQUAL_COUNT
  }
}
