package io.jprune.pruner.plan;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The channels one pruning step removes: group id (in the graph the removal was planned on) -> the
 * group's channel indices, sorted and distinct. Immutable; groups that lose nothing are not part of
 * it.
 *
 * <p>A removal says what goes, not whether it may: the graph validates it ({@link
 * #effectsIn(DependencyGraph)}), including the range of every index.
 */
public final class Removal {
  private static final Removal NONE = new Removal(ImmutableSortedMap.of());

  private final ImmutableSortedMap<Integer, ImmutableLongArray> channels;

  private Removal(ImmutableSortedMap<Integer, ImmutableLongArray> channels) {
    this.channels = channels;
  }

  /** The removal of nothing. */
  public static Removal none() {
    return NONE;
  }

  /**
   * The given channels of one group (in any order; repeats count once).
   *
   * @throws IllegalArgumentException if the group id or a channel index is negative
   */
  public static Removal of(int group, long... channels) {
    return builder().put(group, channels).build();
  }

  /** A builder adding one group at a time. */
  public static Builder builder() {
    return new Builder();
  }

  /** The groups that lose channels, in ascending id order. */
  public ImmutableSortedSet<Integer> groups() {
    return channels.keySet();
  }

  /** The removed channels of a group, sorted; empty for a group that loses nothing. */
  public ImmutableLongArray removed(int group) {
    return channels.getOrDefault(group, ImmutableLongArray.of());
  }

  /**
   * The channels a group of {@code size} channels keeps, sorted.
   *
   * @throws IllegalArgumentException if a removed channel is not below {@code size}
   */
  public ImmutableLongArray kept(int group, int size) {
    ImmutableLongArray removed = removed(group);
    checkArgument(
        removed.isEmpty() || removed.get(removed.length() - 1) < size,
        "channel %s of group %s is out of range for a group of %s channels",
        removed.isEmpty() ? -1 : removed.get(removed.length() - 1),
        group,
        size);
    ImmutableLongArray.Builder kept = ImmutableLongArray.builder(size - removed.length());
    int next = 0;
    for (long c = 0; c < size; c++) {
      if (next < removed.length() && removed.get(next) == c) {
        next++;
      } else {
        kept.add(c);
      }
    }
    return kept.build();
  }

  /** Whether no channel goes. */
  public boolean isEmpty() {
    return channels.isEmpty();
  }

  /** Channels removed over all groups. */
  public long channelCount() {
    return channels.values().stream().mapToLong(ImmutableLongArray::length).sum();
  }

  /** Group id -> removed channels, sorted by id. */
  public ImmutableSortedMap<Integer, ImmutableLongArray> asMap() {
    return channels;
  }

  /** The channels for which {@code keep} holds, group by group (groups left with none drop out). */
  public Removal filter(ChannelPredicate keep) {
    Builder out = builder();
    channels.forEach(
        (group, idx) ->
            out.put(
                group, Arrays.stream(idx.toArray()).filter(c -> keep.test(group, c)).toArray()));
    return out.build();
  }

  /** Tests one channel of one group (see {@link #filter}). */
  @FunctionalInterface
  public interface ChannelPredicate {
    /** Whether channel {@code channel} of group {@code group} is kept by the filter. */
    boolean test(int group, long channel);
  }

  /**
   * Validates this removal on the graph it was planned on and works out what it changes, without
   * touching the model.
   *
   * @throws io.jprune.pruner.graph.refusal.PlanException naming the op, layer or constraint that
   *     forbids it
   */
  public RemovalEffects effectsIn(DependencyGraph graph) {
    Map<Integer, long[]> byGroup = new LinkedHashMap<>();
    channels.forEach((group, idx) -> byGroup.put(group, idx.toArray()));
    return graph.effects(byGroup);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Removal r && channels.equals(r.channels);
  }

  @Override
  public int hashCode() {
    return channels.hashCode();
  }

  /** {@code Removal{3=[0, 2], 7=[5]}}. */
  @Override
  public String toString() {
    return "Removal" + channels;
  }

  /** Collects groups' channels; a group may be given once. */
  public static final class Builder {
    private final Map<Integer, ImmutableLongArray> channels = new TreeMap<>();

    private Builder() {}

    /**
     * Adds the channels of one group (in any order; repeats count once); an empty list adds
     * nothing.
     *
     * @throws IllegalArgumentException if the group was given before, or an id or index is negative
     */
    public Builder put(int group, long... channels) {
      checkNotNull(channels, "channels of group %s", group);
      checkArgument(group >= 0, "group id %s is negative", group);
      checkArgument(
          !this.channels.containsKey(group), "group %s is given twice in one removal", group);
      long[] sorted = Arrays.stream(channels).sorted().distinct().toArray();
      for (long c : sorted) {
        checkArgument(c >= 0, "channel %s of group %s is negative", c, group);
      }
      if (sorted.length > 0) {
        this.channels.put(group, ImmutableLongArray.copyOf(sorted));
      }
      return this;
    }

    /** The removal of everything put so far. */
    public Removal build() {
      return channels.isEmpty() ? NONE : new Removal(ImmutableSortedMap.copyOf(channels));
    }
  }
}
