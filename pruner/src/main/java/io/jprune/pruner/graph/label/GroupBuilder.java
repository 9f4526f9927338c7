package io.jprune.pruner.graph.label;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the atoms of a finished label pass into groups: atoms that slice the same parameter dim
 * belong to one group (all output channels of a residual stream; q/k and v channels of one qkv), in
 * the order their slices were first bound (call order). Block specs become constraints in group
 * channel indices.
 */
public final class GroupBuilder {
  /**
   * The groups of a graph and, for each group, the root atom of each of its channels (in channel
   * order), which a removal's channel indices are mapped back to.
   */
  public record Groups(ImmutableList<PruningGroup> groups, ImmutableList<int[]> channelAtoms) {}

  private final LabelPass pass;
  private final AtomTable atoms;

  /** Parameter slices of each root atom that owns any, in binding order. */
  private final Map<Integer, Set<ParamSlice>> slicesByAtom;

  /** The root atoms of each group, groups in the order their first slice was bound. */
  private final List<List<Integer>> members;

  /** Root atom -> {group, channel index}. */
  private final Map<Integer, int[]> channelOfAtom = new HashMap<>();

  private GroupBuilder(LabelPass pass) {
    this.pass = pass;
    this.atoms = pass.atoms();
    this.slicesByAtom = slicesByAtom(pass);
    this.members = groupMembers(slicesByAtom);
    for (int g = 0; g < members.size(); g++) {
      for (int c = 0; c < members.get(g).size(); c++) {
        channelOfAtom.put(members.get(g).get(c), new int[] {g, c});
      }
    }
  }

  /** Groups the atoms of a finished pass ({@link LabelPass#finish} has run). */
  public static Groups build(LabelPass pass) {
    return new GroupBuilder(pass).groups();
  }

  private static Map<Integer, Set<ParamSlice>> slicesByAtom(LabelPass pass) {
    Map<Integer, Set<ParamSlice>> out = new LinkedHashMap<>();
    for (LabelPass.Binding b : pass.bindings()) {
      int root = pass.atoms().find(b.atom());
      if (root > AtomTable.FIXED) {
        out.computeIfAbsent(root, r -> new LinkedHashSet<>()).add(b.slice());
      }
    }
    return out;
  }

  /** Atoms whose slices share a (param, dim) are one group's channels. */
  private static List<List<Integer>> groupMembers(Map<Integer, Set<ParamSlice>> slicesByAtom) {
    Map<Integer, Integer> parent = new HashMap<>();
    FirstAtoms firstAtoms = new FirstAtoms();
    for (Integer atom : slicesByAtom.keySet()) {
      parent.put(atom, atom);
    }
    for (Map.Entry<Integer, Set<ParamSlice>> e : slicesByAtom.entrySet()) {
      for (ParamSlice s : e.getValue()) {
        int other = firstAtoms.putIfAbsent(s.param(), s.dim(), e.getKey());
        if (other != Integer.MIN_VALUE) {
          union(parent, other, e.getKey());
        }
      }
    }
    Map<Integer, List<Integer>> components = new LinkedHashMap<>();
    for (Integer atom : slicesByAtom.keySet()) {
      components.computeIfAbsent(find(parent, atom), r -> new ArrayList<>()).add(atom);
    }
    return new ArrayList<>(components.values());
  }

  /**
   * The first atom bound to each (param, dim). The slices of one call share one name instance, so
   * names are looked up by identity first and hashed once per instance.
   */
  private static final class FirstAtoms {
    private final Map<String, String> canonical = new HashMap<>();
    private final Map<String, String> byIdentity = new IdentityHashMap<>();
    private final Map<String, int[]> byDim = new IdentityHashMap<>();

    /** Records {@code atom} for (param, dim) unless one is; returns the earlier or MIN_VALUE. */
    int putIfAbsent(String param, int dim, int atom) {
      String p = byIdentity.get(param);
      if (p == null) {
        p = canonical.computeIfAbsent(param, x -> x);
        byIdentity.put(param, p);
      }
      int[] first = byDim.get(p);
      if (first == null || first.length <= dim) {
        int old = first == null ? 0 : first.length;
        first = first == null ? new int[dim + 1] : Arrays.copyOf(first, dim + 1);
        Arrays.fill(first, old, first.length, Integer.MIN_VALUE);
        byDim.put(p, first);
      }
      int other = first[dim];
      if (other == Integer.MIN_VALUE) {
        first[dim] = atom;
      }
      return other;
    }
  }

  private Groups groups() {
    List<List<GroupConstraint>> constraints = constraints();
    ImmutableList.Builder<PruningGroup> groups = ImmutableList.builder();
    ImmutableList.Builder<int[]> channelAtoms = ImmutableList.builder();
    for (int g = 0; g < members.size(); g++) {
      List<Integer> atomsOfGroup = members.get(g);
      ImmutableList.Builder<Channel> channels = ImmutableList.builder();
      for (int c = 0; c < atomsOfGroup.size(); c++) {
        int atom = atomsOfGroup.get(c);
        channels.add(
            new Channel(
                c, ImmutableList.copyOf(slicesByAtom.get(atom)), atoms.inexactReason(atom)));
      }
      channelAtoms.add(atomsOfGroup.stream().mapToInt(Integer::intValue).toArray());
      groups.add(new PruningGroup(g, channels.build(), ImmutableList.copyOf(constraints.get(g))));
    }
    return new Groups(groups.build(), channelAtoms.build());
  }

  /** Block specs as constraints in group channel indices, each once per group. */
  private List<List<GroupConstraint>> constraints() {
    List<List<GroupConstraint>> constraints = new ArrayList<>();
    for (int g = 0; g < members.size(); g++) {
      constraints.add(new ArrayList<>());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (BlockSpec spec : pass.blocks()) {
      GroupedBlocks gb = inGroupIndices(spec);
      if (gb.group() < 0) {
        continue;
      }
      GroupConstraint c =
          new GroupConstraint(
              spec.source(),
              spec.kind(),
              spec.wholeBlocksAllowed(),
              gb.blocks(),
              spec.coordinates());
      if (seen.add(gb.group() + "|" + c.kind() + "|" + c.blocks())) {
        constraints.get(gb.group()).add(c);
      }
    }
    return constraints;
  }

  /** A spec's blocks in channel indices of the group of its first grouped atom (-1: none). */
  private record GroupedBlocks(int group, ImmutableList<ImmutableIntArray> blocks) {}

  private GroupedBlocks inGroupIndices(BlockSpec spec) {
    int group = -1;
    ImmutableList.Builder<ImmutableIntArray> blocks = ImmutableList.builder();
    for (ImmutableIntArray block : spec.blocks()) {
      int[] idx = new int[block.length()];
      for (int p = 0; p < idx.length; p++) {
        int[] gc = channelOfAtom.get(atoms.find(block.get(p)));
        idx[p] = gc == null ? -1 : gc[1];
        if (gc != null) {
          if (group >= 0 && group != gc[0]) {
            idx[p] = -1; // a position held by another group's channel
          } else {
            group = gc[0];
          }
        }
      }
      blocks.add(ImmutableIntArray.copyOf(idx));
    }
    return new GroupedBlocks(group, blocks.build());
  }

  private static int find(Map<Integer, Integer> parent, int a) {
    while (parent.get(a) != a) {
      a = parent.get(a);
    }
    return a;
  }

  private static void union(Map<Integer, Integer> parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent.put(Math.max(ra, rb), Math.min(ra, rb));
    }
  }
}
