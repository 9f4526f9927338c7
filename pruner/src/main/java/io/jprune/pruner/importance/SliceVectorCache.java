package io.jprune.pruner.importance;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Per-index sums shared by the groups scored with one {@link ImportanceContext}: a conv weight's
 * rows belong to one group and its columns to the next, and each group used to compute the weight's
 * elementwise quantity ({@code |w|^2}, ...) on its own. With the cache the quantity is computed
 * once per parameter and reduced along every dim any group reads, and the vectors are kept (one
 * double per index) for the other groups. The sums are the same tensors, reduced the same way, so
 * scores are bit for bit what per-group scoring gives.
 *
 * <p>Only plain slices are shared; grouped-conv columns depend on a group's count of conv groups
 * and stay per group.
 */
final class SliceVectorCache {
  /** One (dim, role) a parameter's slices take somewhere, with a slice to test acceptance on. */
  private record Use(int dim, SliceRole role, ParamSlice sample) {}

  private final Map<String, List<Use>> uses;
  private final Map<Object, Map<SliceSums.Key, double[]>> byQuantity = new HashMap<>();

  private SliceVectorCache(Map<String, List<Use>> uses) {
    this.uses = uses;
  }

  /**
   * The dims parameters are sliced along in {@code groups}, by role, read from the first, middle
   * and last channel of each group (its channels mostly share their layers; a concatenation's
   * channels are ordered by producer). A use missed here only costs a recomputation when a group
   * asks for it, never a wrong value.
   */
  static SliceVectorCache of(List<PruningGroup> groups) {
    Map<String, List<Use>> uses = new HashMap<>();
    for (PruningGroup g : groups) {
      int n = g.size();
      for (int i : n == 0 ? new int[0] : new int[] {0, n / 2, n - 1}) {
        for (ParamSlice s : g.channel(i).slices()) {
          if (s.convGroup() >= 0) {
            continue;
          }
          List<Use> list = uses.computeIfAbsent(s.param(), p -> new ArrayList<>(2));
          if (!contains(list, s)) {
            list.add(new Use(s.dim(), s.role(), s));
          }
        }
      }
    }
    return new SliceVectorCache(uses);
  }

  private static boolean contains(List<Use> list, ParamSlice s) {
    for (Use u : list) {
      if (u.dim() == s.dim() && u.role() == s.role()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The plain dims of {@code param} whose slices {@code accept} takes in any group, in first-seen
   * order ({@code first} included even if no group's slice of it was seen).
   */
  List<Integer> dims(String param, int first, Predicate<ParamSlice> accept) {
    Map<Integer, Boolean> dims = new LinkedHashMap<>();
    dims.put(first, true);
    for (Use u : uses.getOrDefault(param, List.of())) {
      if (!dims.containsKey(u.dim()) && accept.test(u.sample())) {
        dims.put(u.dim(), true);
      }
    }
    return new ArrayList<>(dims.keySet());
  }

  /** The vectors computed so far for one elementwise quantity. */
  Map<SliceSums.Key, double[]> vectors(Object quantity) {
    return byQuantity.computeIfAbsent(quantity, q -> new HashMap<>());
  }
}
