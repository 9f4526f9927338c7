package io.jprune.pruner;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import java.util.ArrayList;
import java.util.List;

/** A group with the channels the options would remove, for interactive pruning. */
public final class GroupProposal {
  private final Pruner pruner;
  private final PruningGroup group;
  private final ImmutableLongArray channels;

  private GroupProposal(Pruner pruner, PruningGroup group, ImmutableLongArray channels) {
    this.pruner = pruner;
    this.group = group;
    this.channels = channels;
  }

  /** One proposal per group that loses channels in {@code plan}, in the groups' order. */
  static List<GroupProposal> of(Pruner pruner, List<PruningGroup> groups, Removal plan) {
    List<GroupProposal> out = new ArrayList<>();
    for (PruningGroup group : groups) {
      ImmutableLongArray idx = plan.removed(group.id());
      if (!idx.isEmpty()) {
        out.add(new GroupProposal(pruner, group, idx));
      }
    }
    return out;
  }

  /** The group, from the pruner's graph when the proposal was made. */
  public PruningGroup group() {
    return group;
  }

  /** The channels the options would remove from it, sorted. */
  public ImmutableLongArray channels() {
    return channels;
  }

  /** Prunes these channels now (the pruner re-traces before the next use). */
  public StepReport prune() {
    return pruner.prune(group, channels.toArray());
  }
}
