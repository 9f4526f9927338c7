package io.jprune.pruner.graph;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.group.ParamSlice;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The parameter slices of a removal as cuts, one per parameter or buffer. */
final class ParamCuts {
  private ParamCuts() {}

  /**
   * Cuts of every parameter a removed slice belongs to.
   *
   * @throws PlanException when a parameter would lose all of a dim, or a grouped conv's groups
   *     would lose different numbers of input channels
   */
  static ImmutableMap<String, ParamCut> of(LabelPass pass, Collection<ParamSlice> slices) {
    Map<String, Map<Integer, BitSet>> byDim = new LinkedHashMap<>();
    Map<String, Map<Integer, BitSet>> byConvGroup = new LinkedHashMap<>();
    for (ParamSlice s : slices) {
      boolean grouped = s.convGroup() >= 0;
      (grouped ? byConvGroup : byDim)
          .computeIfAbsent(s.param(), p -> new TreeMap<>())
          .computeIfAbsent(grouped ? s.convGroup() : s.dim(), k -> new BitSet())
          .set((int) s.index());
    }
    Set<String> names = new LinkedHashSet<>(byDim.keySet());
    names.addAll(byConvGroup.keySet());
    ImmutableMap.Builder<String, ParamCut> out = ImmutableMap.builder();
    for (String name : names) {
      ImmutableLongArray shape = pass.parameterShape(name);
      out.put(
          name,
          new ParamCut(
              name,
              shape,
              alongDims(name, shape, byDim.getOrDefault(name, Map.of())),
              groupedColumns(name, shape, byConvGroup.getOrDefault(name, Map.of()))));
    }
    return out.build();
  }

  /** Removed indices per dim; a dim must keep something. */
  private static ImmutableMap<Integer, ImmutableLongArray> alongDims(
      String name, ImmutableLongArray shape, Map<Integer, BitSet> byDim) {
    ImmutableMap.Builder<Integer, ImmutableLongArray> removed = ImmutableMap.builder();
    byDim.forEach(
        (dim, idx) -> {
          if (idx.cardinality() >= shape.get(dim)) {
            throw new PlanException(
                "the removal would take all "
                    + shape.get(dim)
                    + " channels of "
                    + name
                    + " (dim "
                    + dim
                    + ")");
          }
          removed.put(dim, toArray(idx));
        });
    return removed.build();
  }

  /** A grouped conv weight's removed input columns per group: every group loses as many. */
  private static ImmutableMap<Integer, ImmutableLongArray> groupedColumns(
      String name, ImmutableLongArray shape, Map<Integer, BitSet> byGroup) {
    ImmutableMap.Builder<Integer, ImmutableLongArray> cols = ImmutableMap.builder();
    int count = -1;
    for (Map.Entry<Integer, BitSet> e : byGroup.entrySet()) {
      if (count >= 0 && e.getValue().cardinality() != count) {
        throw new PlanException(
            "grouped conv "
                + name
                + " would lose "
                + e.getValue().cardinality()
                + " input channels in group "
                + e.getKey()
                + " but "
                + count
                + " in another: every group must lose as many");
      }
      count = e.getValue().cardinality();
      if (count >= shape.get(1)) {
        throw new PlanException(
            "the removal would take all input channels of group " + e.getKey() + " of " + name);
      }
      cols.put(e.getKey(), toArray(e.getValue()));
    }
    return cols.build();
  }

  private static ImmutableLongArray toArray(BitSet s) {
    return ImmutableLongArray.copyOf(s.stream().asLongStream().toArray());
  }
}
