package io.jprune.pruner.graph.label;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense ids for the rows of physical slices a label pass binds, {@code (param, dim, conv group)},
 * and for their {@code (param, dim)}: the groups and the slices bound twice are found by array
 * lookups instead of hashing every slice. A layer binds all its slices with one name instance, so
 * names are looked up by identity first and hashed once per instance.
 */
final class SliceRows {
  private record Row(String param, int dim, int convGroup) {}

  private record ParamDim(String param, int dim) {}

  private final Map<Row, Integer> rows = new HashMap<>();
  private final Map<ParamDim, Integer> paramDims = new HashMap<>();
  private final List<Integer> paramDimOfRow = new ArrayList<>();

  /** Per name instance: {dim, conv group, row} of each row seen with it. */
  private final Map<String, List<int[]>> byInstance = new IdentityHashMap<>();

  /** The id of the row {@code (param, dim, convGroup)}, made on first sight (0, 1, 2, ...). */
  int rowOf(String param, int dim, int convGroup) {
    List<int[]> seen = byInstance.computeIfAbsent(param, p -> new ArrayList<>(2));
    for (int[] r : seen) {
      if (r[0] == dim && r[1] == convGroup) {
        return r[2];
      }
    }
    int row =
        rows.computeIfAbsent(
            new Row(param, dim, convGroup),
            r -> {
              paramDimOfRow.add(
                  paramDims.computeIfAbsent(new ParamDim(param, dim), pd -> paramDims.size()));
              return rows.size();
            });
    seen.add(new int[] {dim, convGroup, row});
    return row;
  }

  /** The id of the {@code (param, dim)} of a row (0, 1, 2, ... in first-seen order). */
  int paramDimOf(int row) {
    return paramDimOfRow.get(row);
  }

  /** How many rows there are: ids run from 0 below this. */
  int rowCount() {
    return rows.size();
  }

  /** How many {@code (param, dim)} there are: ids run from 0 below this. */
  int paramDimCount() {
    return paramDims.size();
  }
}
