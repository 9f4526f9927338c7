package io.jprune.pruner.group;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Channels that are coupled across layers — a residual stream, an attention's q/k/v with proj, a
 * conv with its BN and consumers — with the constraints on removing them. Users prune a group by
 * channel index; every slice of every listed parameter goes with it.
 */
public final class PruningGroup {
  private final int id;
  private final ImmutableList<Channel> channels;
  private final ImmutableList<GroupConstraint> constraints;

  /** Group {@code id} of these channels (channel i at index i), under these constraints. */
  public PruningGroup(
      int id, ImmutableList<Channel> channels, ImmutableList<GroupConstraint> constraints) {
    this.id = id;
    this.channels = Objects.requireNonNull(channels, "channels");
    this.constraints = Objects.requireNonNull(constraints, "constraints");
  }

  /** Index of the group in its graph. */
  public int id() {
    return id;
  }

  /** Number of prunable channels. */
  public int size() {
    return channels.size();
  }

  /** The channels removed together, by channel index. */
  public ImmutableList<Channel> channels() {
    return channels;
  }

  /** The channel with this index. */
  public Channel channel(int index) {
    return channels.get(index);
  }

  /** How removals must line up across blocks of channels (heads, GroupNorm groups, ...). */
  public ImmutableList<GroupConstraint> constraints() {
    return constraints;
  }

  /** The first producing parameter (in call order): what the group is named after. */
  public String leader() {
    for (Channel c : channels) {
      for (ParamSlice s : c.slices()) {
        if (s.role() == SliceRole.OUTPUT) {
          return s.param();
        }
      }
    }
    return channels.isEmpty() ? "?" : channels.get(0).slices().get(0).param();
  }

  /** Parameters touched, with dim and role: {@code layer1.0.conv1.weight[0] OUTPUT}. */
  public Map<String, Integer> members() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Channel c : channels) {
      for (ParamSlice s : c.slices()) {
        counts.merge(s.param() + "[" + s.dim() + "] " + s.role(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Parameter names touched. */
  public ImmutableSet<String> parameters() {
    return channels.stream()
        .flatMap(c -> c.slices().stream())
        .map(ParamSlice::param)
        .collect(ImmutableSet.toImmutableSet());
  }

  /** Whether pruning any channel must reproduce the masked original exactly. */
  public boolean isExact() {
    return channels.stream().allMatch(c -> c.inexactReason() == null);
  }

  /** Reasons some channels' pruning is not exact. */
  public ImmutableSet<String> inexactReasons() {
    return channels.stream()
        .map(Channel::inexactReason)
        .filter(Objects::nonNull)
        .collect(ImmutableSet.toImmutableSet());
  }

  /** Printable: leader, size, members with slice counts, constraints, exactness. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("Group ")
        .append(id)
        .append(" '")
        .append(leader())
        .append("': ")
        .append(size())
        .append(" channels")
        .append(isExact() ? "" : " (inexact: " + inexactReasons() + ")")
        .append('\n');
    members().forEach((k, v) -> sb.append("  ").append(k).append(" x").append(v).append('\n'));
    for (GroupConstraint c : constraints) {
      sb.append("  constraint: ").append(c).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "PruningGroup[" + id + " " + leader() + ", " + size() + " channels]";
  }
}
