package io.jprune.pruner.graph.label;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.HashMap;
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
  private GroupBuilder() {}

  public static ImmutableList<PruningGroup> build(LabelPass pass, List<int[]> atomsOut) {
    AtomTable atoms = pass.atoms();
    // One physical slice is one channel, however many calls bound it (a module called twice).
    Map<String, Integer> atomOfSlice = new HashMap<>();
    for (LabelPass.Binding b : pass.bindings()) {
      ParamSlice s = b.slice();
      String key = s.param() + "#" + s.dim() + "#" + s.index() + "#" + s.convGroup();
      Integer other = atomOfSlice.putIfAbsent(key, b.atom());
      if (other != null) {
        atoms.union(other, b.atom());
      }
    }
    pass.finish();
    Map<Integer, Set<ParamSlice>> slicesByAtom = new LinkedHashMap<>();
    for (LabelPass.Binding b : pass.bindings()) {
      int root = atoms.find(b.atom());
      if (root > AtomTable.FIXED) {
        slicesByAtom.computeIfAbsent(root, r -> new LinkedHashSet<>()).add(b.slice());
      }
    }
    // Union atoms sharing a (param, dim) key.
    Map<Integer, Integer> parent = new HashMap<>();
    Map<String, Integer> firstAtomOfKey = new HashMap<>();
    for (Map.Entry<Integer, Set<ParamSlice>> e : slicesByAtom.entrySet()) {
      parent.put(e.getKey(), e.getKey());
    }
    for (Map.Entry<Integer, Set<ParamSlice>> e : slicesByAtom.entrySet()) {
      for (ParamSlice s : e.getValue()) {
        Integer other = firstAtomOfKey.putIfAbsent(s.param() + "#" + s.dim(), e.getKey());
        if (other != null) {
          union(parent, other, e.getKey());
        }
      }
    }
    Map<Integer, List<Integer>> components = new LinkedHashMap<>();
    for (Integer atom : slicesByAtom.keySet()) {
      components.computeIfAbsent(find(parent, atom), r -> new ArrayList<>()).add(atom);
    }
    ImmutableList.Builder<PruningGroup> groups = ImmutableList.builder();
    Map<Integer, int[]> channelOfAtom = new HashMap<>(); // atom -> {group, channel}
    int id = 0;
    List<List<Integer>> ordered = new ArrayList<>(components.values());
    for (List<Integer> members : ordered) {
      for (int c = 0; c < members.size(); c++) {
        channelOfAtom.put(members.get(c), new int[] {id, c});
      }
      id++;
    }
    List<List<GroupConstraint>> constraints = new ArrayList<>();
    for (int g = 0; g < ordered.size(); g++) {
      constraints.add(new ArrayList<>());
    }
    Set<String> seen = new LinkedHashSet<>();
    for (BlockSpec spec : pass.blocks()) {
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
      if (group < 0) {
        continue;
      }
      GroupConstraint c =
          new GroupConstraint(
              spec.source(),
              spec.kind(),
              spec.wholeBlocksAllowed(),
              blocks.build(),
              spec.coordinates());
      if (seen.add(group + "|" + c.kind() + "|" + c.blocks())) {
        constraints.get(group).add(c);
      }
    }
    for (int g = 0; g < ordered.size(); g++) {
      List<Integer> members = ordered.get(g);
      ImmutableList.Builder<Channel> channels = ImmutableList.builder();
      int[] roots = new int[members.size()];
      for (int c = 0; c < members.size(); c++) {
        int atom = members.get(c);
        roots[c] = atom;
        channels.add(
            new Channel(
                c, ImmutableList.copyOf(slicesByAtom.get(atom)), atoms.inexactReason(atom)));
      }
      atomsOut.add(roots);
      groups.add(new PruningGroup(g, channels.build(), ImmutableList.copyOf(constraints.get(g))));
    }
    return groups.build();
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
