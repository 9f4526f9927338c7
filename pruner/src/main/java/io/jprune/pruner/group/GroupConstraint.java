package io.jprune.pruner.group;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;

/**
 * A constraint on which channels of a group may go together, in group channel indices (-1 marks a
 * position held by a channel that can never be removed).
 *
 * @param source the op or module that imposes it, with its call site
 * @param kind ALIGNED: the same positions in every block; EQUAL_COUNT: as many in every block
 * @param wholeBlocksAllowed whether whole blocks (heads, norm groups) may go instead
 * @param blocks channel indices of each block, by position
 * @param coordinates each block's coordinates in the imposing tensor (branch, head)
 */
public record GroupConstraint(
    String source,
    BlockSpec.Kind kind,
    boolean wholeBlocksAllowed,
    ImmutableList<ImmutableIntArray> blocks,
    ImmutableList<ImmutableLongArray> coordinates) {

  /** Number of channels per block (blocks have equal sizes). */
  public int blockSize() {
    return blocks.isEmpty() ? 0 : blocks.get(0).length();
  }

  @Override
  public String toString() {
    return kind
        + (wholeBlocksAllowed ? "(or whole blocks)" : "")
        + " over "
        + blocks.size()
        + " blocks of "
        + blockSize()
        + " from "
        + source;
  }
}
