package io.jprune.pruner.graph.label;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.IndexSets;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
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

  /**
   * Root atoms that own slices, in the order of their first binding ("slots"), and the bindings of
   * each, as a linked list in binding order: {@code first[slot]}, then {@code next[binding]} until
   * -1. Bindings that repeat a slice are left out.
   */
  private final int[] rootOfSlot;

  private final int[] first;
  private final int[] next;

  /** The slots of each group, groups in the order of their first slot. */
  private final List<int[]> members;

  /** By root atom: its group and channel index, or -1. */
  private final int[] groupOfAtom;

  private final int[] channelOfAtom;

  private GroupBuilder(LabelPass pass) {
    this.pass = pass;
    this.atoms = pass.atoms();
    List<LabelPass.Binding> bindings = pass.bindings();
    int[] slotOfAtom = new int[atoms.size()];
    Arrays.fill(slotOfAtom, -1);
    int[] roots = new int[16];
    int[] last = new int[16];
    int[] heads = new int[16];
    this.next = new int[bindings.size()];
    int slots = 0;
    for (int i = 0; i < bindings.size(); i++) {
      next[i] = -1;
      int root = atoms.find(bindings.get(i).atom());
      if (root <= AtomTable.FIXED || pass.isRepeat(i)) {
        continue;
      }
      int slot = slotOfAtom[root];
      if (slot < 0) {
        if (slots == roots.length) {
          roots = Arrays.copyOf(roots, slots * 2);
          last = Arrays.copyOf(last, slots * 2);
          heads = Arrays.copyOf(heads, slots * 2);
        }
        slot = slotOfAtom[root] = slots++;
        roots[slot] = root;
        heads[slot] = i;
      } else {
        next[last[slot]] = i;
      }
      last[slot] = i;
    }
    this.rootOfSlot = Arrays.copyOf(roots, slots);
    this.first = Arrays.copyOf(heads, slots);
    this.members = groupMembers();
    this.groupOfAtom = new int[atoms.size()];
    this.channelOfAtom = new int[atoms.size()];
    Arrays.fill(groupOfAtom, -1);
    for (int g = 0; g < members.size(); g++) {
      int[] slotsOfGroup = members.get(g);
      for (int c = 0; c < slotsOfGroup.length; c++) {
        groupOfAtom[rootOfSlot[slotsOfGroup[c]]] = g;
        channelOfAtom[rootOfSlot[slotsOfGroup[c]]] = c;
      }
    }
  }

  /** Groups the atoms of a finished pass ({@link LabelPass#finish} has run). */
  public static Groups build(LabelPass pass) {
    return new GroupBuilder(pass).groups();
  }

  /** Slots whose slices share a (param, dim) are one group's channels. */
  private List<int[]> groupMembers() {
    int slots = rootOfSlot.length;
    IndexSets sets = new IndexSets(slots);
    int[] firstSlot = new int[pass.rows().paramDimCount()];
    Arrays.fill(firstSlot, -1);
    List<LabelPass.Binding> bindings = pass.bindings();
    for (int s = 0; s < slots; s++) {
      for (int i = first[s]; i >= 0; i = next[i]) {
        int pd = pass.rows().paramDimOf(bindings.get(i).row());
        if (firstSlot[pd] < 0) {
          firstSlot[pd] = s;
        } else {
          sets.union(firstSlot[pd], s);
        }
      }
    }
    return sets.sets(); // components in the order of their first slot, members in slot order
  }

  /** The slices of a slot, in binding order. */
  private ImmutableList<ParamSlice> slicesOf(int slot) {
    ImmutableList.Builder<ParamSlice> b = ImmutableList.builder();
    for (int i = first[slot]; i >= 0; i = next[i]) {
      b.add(pass.bindings().get(i).slice());
    }
    return b.build();
  }

  private Groups groups() {
    List<List<GroupConstraint>> constraints = constraints();
    ImmutableList.Builder<PruningGroup> groups = ImmutableList.builder();
    ImmutableList.Builder<int[]> channelAtoms = ImmutableList.builder();
    for (int g = 0; g < members.size(); g++) {
      int[] slotsOfGroup = members.get(g);
      int[] atomsOfGroup = new int[slotsOfGroup.length];
      ImmutableList.Builder<Channel> channels = ImmutableList.builder();
      for (int c = 0; c < slotsOfGroup.length; c++) {
        int atom = rootOfSlot[slotsOfGroup[c]];
        atomsOfGroup[c] = atom;
        channels.add(new Channel(c, slicesOf(slotsOfGroup[c]), atoms.inexactReason(atom)));
      }
      channelAtoms.add(atomsOfGroup);
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
        int root = atoms.find(block.get(p));
        int g = root > AtomTable.FIXED ? groupOfAtom[root] : -1;
        idx[p] = g < 0 ? -1 : channelOfAtom[root];
        if (g >= 0) {
          if (group >= 0 && group != g) {
            idx[p] = -1; // a position held by another group's channel
          } else {
            group = g;
          }
        }
      }
      blocks.add(ImmutableIntArray.copyOf(idx));
    }
    return new GroupedBlocks(group, blocks.build());
  }
}
