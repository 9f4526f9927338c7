package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.BlockSpec;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.tracer.Trace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The numbers a reader checks a group by, worked out so that they add up: which kinds of channel
 * the group has (a q/k channel takes a row of q and a row of k, a v channel a row of v and a column
 * of proj), how many slices of each parameter dim that makes, how many of them a pruning run
 * removed, the head structure, and the importance scores of kept and removed channels.
 *
 * @param group the group
 * @param kinds channels with the same slices per parameter dim, largest first
 * @param members every parameter dim the group slices, with its size before and after
 * @param heads head structure, when a reshape into heads constrains the group
 * @param removed channels removed (original numbering), empty without an outcome
 * @param scores the first step's scores, when known
 */
public record GroupFacts(
    PruningGroup group,
    ImmutableList<ChannelKind> kinds,
    ImmutableList<Member> members,
    Optional<Heads> heads,
    BitSet removed,
    Optional<ImmutableDoubleArray> scores) {

  /**
   * Channels of one kind.
   *
   * @param name {@code q+k}, {@code v}, or empty when the group has a single kind
   * @param count channels of this kind
   * @param slices member key -> slices each channel of this kind takes
   */
  public record ChannelKind(String name, int count, Map<String, Integer> slices) {}

  /**
   * One parameter dim in the group.
   *
   * @param param registered name
   * @param dim sliced dim
   * @param role OUTPUT, INPUT or STATE
   * @param slices slices of it in the group
   * @param removedSlices of those, removed by the run
   * @param sizeBefore the dim's size in the original model
   * @param sizeAfter the dim's size after the run (every group's cuts)
   * @param rank the parameter's number of dims
   */
  public record Member(
      String param,
      int dim,
      String role,
      int slices,
      int removedSlices,
      long sizeBefore,
      long sizeAfter,
      int rank) {
    /** {@code rows}, {@code columns}, {@code entries} (1-d) or {@code slices of dim d}. */
    public String unit() {
      if (rank == 1) {
        return "entries";
      }
      return dim == 0 ? "rows" : dim == 1 ? "columns" : "slices of dim " + dim;
    }

    String key() {
      return param + "[" + dim + "] " + role;
    }
  }

  /**
   * Head structure from an ALIGNED constraint that also allows whole blocks.
   *
   * @param branches blocks per head position in the reshape (3 for a fused q/k/v)
   * @param count heads
   * @param dim channel positions per block (head_dim)
   * @param removedHeads heads all of whose channels were removed
   * @param keptDim positions left in each kept head
   * @param source the reshape that imposes it
   */
  public record Heads(
      int branches,
      int count,
      int dim,
      ImmutableIntArray removedHeads,
      int keptDim,
      String source) {}

  /** The facts of one group of a traced graph, with what a run removed if {@code outcome}. */
  public static GroupFacts of(PruningGroup group, Trace trace, Optional<PruningOutcome> outcome) {
    checkNotNull(group, "group");
    checkNotNull(trace, "trace");
    checkNotNull(outcome, "outcome");
    Map<String, Map<Integer, long[]>> kept =
        outcome.map(PruningOutcome::keptIndices).orElse(Map.of());
    BitSet removed = removedChannels(group, kept);
    Optional<GroupConstraint> headed =
        group.constraints().stream()
            .filter(x -> x.kind() == BlockSpec.Kind.ALIGNED && x.wholeBlocksAllowed())
            .findFirst();
    String[] branchNames = headed.map(GroupFacts::branchNames).orElse(new String[0]);
    Map<Integer, String> kindOf = headed.map(h -> kindNames(h, branchNames)).orElse(Map.of());
    return new GroupFacts(
        group,
        kindsOf(group, kindOf),
        membersOf(group, trace, kept, removedSlices(group, removed)),
        headed.map(h -> heads(h, removed)),
        removed,
        outcome.flatMap(o -> o.scoresOf(group.id())));
  }

  /** The channels whose first output slice (else first slice) the run did not keep. */
  private static BitSet removedChannels(
      PruningGroup group, Map<String, Map<Integer, long[]>> kept) {
    BitSet removed = new BitSet();
    for (Channel c : group.channels()) {
      ParamSlice s = c.outputs().isEmpty() ? c.slices().get(0) : c.outputs().get(0);
      long[] left = kept.getOrDefault(s.param(), Map.of()).get(s.dim());
      if (left != null && Arrays.binarySearch(left, s.index()) < 0) {
        removed.set(c.index());
      }
    }
    return removed;
  }

  private static String memberKey(ParamSlice s) {
    return s.param() + "[" + s.dim() + "] " + s.role();
  }

  /** Channels grouped by their name and their slices per member, largest kind first. */
  private static ImmutableList<ChannelKind> kindsOf(
      PruningGroup group, Map<Integer, String> kindOf) {
    Map<String, ChannelKind> kinds = new LinkedHashMap<>();
    for (Channel c : group.channels()) {
      Map<String, Integer> sig = new TreeMap<>();
      for (ParamSlice s : c.slices()) {
        sig.merge(memberKey(s), 1, Integer::sum);
      }
      String name = kindOf.getOrDefault(c.index(), "");
      kinds.merge(
          name + "|" + sig,
          new ChannelKind(name, 1, sig),
          (a, b) -> new ChannelKind(a.name(), a.count() + 1, a.slices()));
    }
    List<ChannelKind> sorted = new ArrayList<>(kinds.values());
    sorted.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return ImmutableList.copyOf(sorted);
  }

  /** Member key -> the slices of it that removed channels take. */
  private static Map<String, Integer> removedSlices(PruningGroup group, BitSet removed) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Channel c : group.channels()) {
      if (removed.get(c.index())) {
        for (ParamSlice s : c.slices()) {
          out.merge(memberKey(s), 1, Integer::sum);
        }
      }
    }
    return out;
  }

  private static ImmutableList<Member> membersOf(
      PruningGroup group,
      Trace trace,
      Map<String, Map<Integer, long[]>> kept,
      Map<String, Integer> removedSlices) {
    ImmutableList.Builder<Member> members = ImmutableList.builder();
    for (Map.Entry<String, Integer> m : group.members().entrySet()) {
      String key = m.getKey();
      int bracket = key.lastIndexOf('[');
      String param = key.substring(0, bracket);
      int dim = Integer.parseInt(key.substring(bracket + 1, key.indexOf(']', bracket)));
      String role = key.substring(key.lastIndexOf(' ') + 1);
      ImmutableLongArray shape =
          trace.parameters().containsKey(param)
              ? trace.parameters().get(param)
              : trace.buffers().get(param);
      long before = shape == null ? m.getValue() : shape.get(dim);
      long[] left = kept.getOrDefault(param, Map.of()).get(dim);
      long after = left == null ? before : left.length;
      members.add(
          new Member(
              param,
              dim,
              role,
              m.getValue(),
              removedSlices.getOrDefault(key, 0),
              before,
              after,
              shape == null ? 1 : shape.length()));
    }
    return members.build();
  }

  /** Channels the run kept. */
  public int keptCount() {
    return group.size() - removed.cardinality();
  }

  /** One line that adds up: {@code 768 channels = 384 q+k + 384 v; 6 heads x 64 head_dim}. */
  public String headline() {
    StringBuilder sb = new StringBuilder();
    sb.append(group.size()).append(" channels");
    if (kinds.size() > 1) {
      sb.append(" = ");
      for (int i = 0; i < kinds.size(); i++) {
        ChannelKind k = kinds.get(i);
        sb.append(i == 0 ? "" : " + ")
            .append(k.count())
            .append(k.name().isEmpty() ? "" : " " + k.name());
      }
    }
    heads.ifPresent(
        h ->
            sb.append("; ")
                .append(h.count())
                .append(" heads x ")
                .append(h.dim())
                .append(" head_dim"));
    sb.append("; ").append(GroupPlanner.unitCount(group)).append(" units");
    return sb.toString();
  }

  /**
   * Per member: how its slices are made of the kinds, e.g. {@code blocks.0.attn.qkv.weight rows:
   * 384 x 2 + 384 x 1 = 1152 of 1152}.
   */
  public List<String> sums() {
    List<String> out = new ArrayList<>();
    for (Member m : members) {
      StringBuilder sb = new StringBuilder();
      int total = 0;
      int terms = 0;
      for (ChannelKind k : kinds) {
        Integer per = k.slices().get(m.key());
        if (per == null) {
          continue;
        }
        sb.append(terms++ == 0 ? "" : " + ")
            .append(k.count())
            .append(" x ")
            .append(per)
            .append(k.name().isEmpty() ? "" : " (" + k.name() + ")");
        total += k.count() * per;
      }
      out.add(
          String.format(
              Locale.ROOT,
              "%s[%d] %s: %s = %d of %d",
              m.param(),
              m.dim(),
              m.role(),
              sb,
              total,
              m.sizeBefore()));
    }
    return out;
  }

  private static Heads heads(GroupConstraint c, BitSet removed) {
    TreeSet<Long> branches = new TreeSet<>();
    Map<Long, List<ImmutableIntArray>> byHead = new TreeMap<>();
    for (int b = 0; b < c.blocks().size(); b++) {
      ImmutableLongArray co = c.coordinates().get(b);
      if (co.length() >= 2) {
        branches.add(co.get(co.length() - 2));
      }
      byHead
          .computeIfAbsent(co.get(co.length() - 1), h -> new ArrayList<>())
          .add(c.blocks().get(b));
    }
    List<Integer> removedHeads = new ArrayList<>();
    int keptDim = 0;
    int head = 0;
    for (List<ImmutableIntArray> blocks : byHead.values()) {
      boolean all = true;
      int keptHere = 0;
      ImmutableIntArray first = blocks.get(0);
      for (int i = 0; i < first.length(); i++) {
        int ch = first.get(i);
        boolean gone = ch >= 0 && removed.get(ch);
        all &= ch < 0 || gone;
        keptHere += gone ? 0 : 1;
      }
      if (all) {
        removedHeads.add(head);
      } else {
        keptDim = Math.max(keptDim, keptHere);
      }
      head++;
    }
    return new Heads(
        Math.max(1, branches.size()),
        byHead.size(),
        c.blockSize(),
        ImmutableIntArray.copyOf(removedHeads),
        removedHeads.size() == byHead.size() ? 0 : keptDim,
        c.source());
  }

  /** Fused attention's three branches read as q, k, v in the reshape's order; else b0, b1... */
  private static String[] branchNames(GroupConstraint c) {
    TreeSet<Long> branches = new TreeSet<>();
    for (ImmutableLongArray co : c.coordinates()) {
      if (co.length() >= 2) {
        branches.add(co.get(co.length() - 2));
      }
    }
    if (branches.size() == 3) {
      return new String[] {"q", "k", "v"};
    }
    return branches.stream().map(b -> "b" + b).toArray(String[]::new);
  }

  /** Channel -> the branches it sits in ({@code q+k} for a channel contracted by q.k^T). */
  private static Map<Integer, String> kindNames(GroupConstraint c, String[] names) {
    List<Long> order =
        new ArrayList<>(
            new TreeSet<>(
                c.coordinates().stream()
                    .filter(co -> co.length() >= 2)
                    .map(co -> co.get(co.length() - 2))
                    .toList()));
    Map<Integer, TreeSet<Integer>> in = new TreeMap<>();
    for (int b = 0; b < c.blocks().size(); b++) {
      ImmutableLongArray co = c.coordinates().get(b);
      if (co.length() < 2) {
        continue;
      }
      int branch = order.indexOf(co.get(co.length() - 2));
      c.blocks()
          .get(b)
          .forEach(
              ch -> {
                if (ch >= 0) {
                  in.computeIfAbsent(ch, x -> new TreeSet<>()).add(branch);
                }
              });
    }
    Map<Integer, String> out = new TreeMap<>();
    in.forEach(
        (ch, branches) -> {
          StringBuilder sb = new StringBuilder();
          for (int b : branches) {
            sb.append(sb.length() == 0 ? "" : "+").append(names[b]);
          }
          out.put(ch, sb.toString());
        });
    return out;
  }

  /** {@code 0-3, 7, 9-12}: sorted indices as ranges. */
  static String ranges(BitSet set) {
    StringBuilder sb = new StringBuilder();
    for (int i = set.nextSetBit(0); i >= 0; ) {
      int end = set.nextClearBit(i) - 1;
      sb.append(sb.length() == 0 ? "" : ", ").append(i);
      if (end > i) {
        sb.append('-').append(end);
      }
      i = set.nextSetBit(end + 1);
    }
    return sb.toString();
  }
}
