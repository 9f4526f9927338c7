package io.jprune.pruner.save;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.ArgPatch;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.SitePatch;
import io.jprune.pruner.surgery.AppliedChanges;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed record checked for consistency before any model is touched: every cut names a tensor
 * that has, at that step, the shape the cut starts from; dims and indices are in range, sorted and
 * leave something; options and argument patches are well formed; the weights entries are unique and
 * have the shapes the replay produces. Every problem is named by its field path.
 */
final class RecordCheck {
  private final PruningRecord record;

  /** Every problem found, by field path. */
  private final List<String> problems = new ArrayList<>();

  /** Each tensor's shape at the step being checked; after the replay, the pruned shapes. */
  private final Map<String, ImmutableLongArray> current;

  private RecordCheck(PruningRecord record) {
    this.record = record;
    this.current = new LinkedHashMap<>(record.originalShapes());
  }

  /**
   * Checks {@code record}.
   *
   * @throws IllegalArgumentException naming every problem by its field path
   */
  static void check(PruningRecord record) {
    RecordCheck check = new RecordCheck(record);
    for (int i = 0; i < record.changes().size(); i++) {
      AppliedChanges c = record.changes().get(i);
      String path = "changes[" + i + "]";
      check.replayCuts(c.cuts(), path);
      check.options(c.options(), path);
      check.sitePatches(c.sitePatches(), path);
    }
    check.weights();
    checkArgument(
        check.problems.isEmpty(),
        "%s is not a valid pruning record: %s",
        PrunedModelFiles.RECORD,
        String.join("; ", check.problems));
  }

  /** Checks one step's cuts against the shapes at that step and applies the valid ones. */
  private void replayCuts(List<ParamCut> cuts, String changes) {
    for (int j = 0; j < cuts.size(); j++) {
      String path = changes + ".cuts[" + j + "]";
      ParamCut cut = cuts.get(j);
      ImmutableLongArray now = current.get(cut.param());
      if (now == null) {
        problems.add(path + ".param: " + cut.param() + " is not a tensor of the model");
      } else if (!now.equals(cut.shape())) {
        problems.add(
            path
                + ".shape: "
                + cut.shape()
                + ", but "
                + cut.param()
                + " has "
                + now
                + " at this step");
      } else if (indices(cut, path)) {
        current.put(cut.param(), ImmutableLongArray.copyOf(cut.newShape()));
      }
    }
  }

  private void options(List<AppliedChanges.Option> options, String changes) {
    for (int j = 0; j < options.size(); j++) {
      AppliedChanges.Option o = options.get(j);
      if (o.before().isEmpty() || o.before().length() != o.after().length()) {
        problems.add(
            changes
                + ".options["
                + j
                + "]: before "
                + o.before()
                + " and after "
                + o.after()
                + " must be non-empty and of one length");
      }
    }
  }

  private void sitePatches(List<SitePatch> sitePatches, String changes) {
    for (int j = 0; j < sitePatches.size(); j++) {
      SitePatch p = sitePatches.get(j);
      for (int k = 0; k < p.patches().size(); k++) {
        ArgPatch a = p.patches().get(k);
        if (a.argIndex() < 0 || a.before().length() != a.after().length()) {
          problems.add(
              changes
                  + ".sitePatches["
                  + j
                  + "].patches["
                  + k
                  + "]: arg "
                  + a.argIndex()
                  + ", before "
                  + a.before()
                  + ", after "
                  + a.after()
                  + " (arg >= 0, before and after of one length)");
        }
      }
    }
  }

  /** Each weights entry unique, with the replayed shape; every tensor has one. */
  private void weights() {
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < record.weights().size(); i++) {
      PruningRecord.Weight w = record.weights().get(i);
      String path = "weights[" + i + "]";
      if (!names.add(w.name())) {
        problems.add(path + ".name: " + w.name() + " is listed twice");
      }
      if (!keys.add(w.key())) {
        problems.add(path + ".key: " + w.key() + " is used twice");
      }
      weight(w, path);
    }
    for (String name : current.keySet()) {
      if (!names.contains(name)) {
        problems.add("weights: no entry for " + name);
      }
    }
  }

  /** One weights entry: a tensor of the model, of its replayed shape, listed as a buffer or not. */
  private void weight(PruningRecord.Weight w, String path) {
    ImmutableLongArray expected = current.get(w.name());
    if (expected == null) {
      problems.add(path + ".name: " + w.name() + " is not a tensor of the model");
    } else if (!expected.equals(w.shape())) {
      problems.add(
          path
              + ".shape: "
              + w.shape()
              + ", but the replayed changes give "
              + w.name()
              + " the shape "
              + expected);
    }
    if (w.buffer() != record.buffers().contains(w.name())) {
      problems.add(
          path
              + ".buffer: "
              + w.buffer()
              + ", but buffers "
              + (w.buffer() ? "does not list " : "lists ")
              + w.name());
    }
  }

  /** Whether the cut's dims and indices are valid for its shape (each problem noted). */
  private boolean indices(ParamCut cut, String path) {
    int before = problems.size();
    long[] shape = cut.shape().toArray();
    cut.removed()
        .forEach(
            (dim, idx) -> {
              if (dim < 0 || dim >= shape.length) {
                problems.add(
                    path + ".removed." + dim + ": dim out of range for shape " + cut.shape());
                return;
              }
              sorted(idx, shape[dim], path + ".removed." + dim);
            });
    if (!cut.groupedColumns().isEmpty()) {
      if (shape.length < 2) {
        problems.add(path + ".groupedColumns: " + cut.param() + " has no dim 1");
        return false;
      }
      groupedColumns(cut, shape, path);
    }
    return problems.size() == before;
  }

  /** Groups in range, each losing as many columns, sorted and in range. */
  private void groupedColumns(ParamCut cut, long[] shape, String path) {
    Integer count = null;
    for (Map.Entry<Integer, ImmutableLongArray> e : cut.groupedColumns().entrySet()) {
      String p = path + ".groupedColumns." + e.getKey();
      if (e.getKey() < 0 || e.getKey() >= shape[0]) {
        problems.add(p + ": group out of range");
      }
      if (count != null && e.getValue().length() != count) {
        problems.add(p + ": every group must lose as many columns");
      }
      count = e.getValue().length();
      sorted(e.getValue(), shape[1], p);
    }
  }

  /** Indices sorted, distinct, in {@code [0, size)} and fewer than {@code size}. */
  private void sorted(ImmutableLongArray idx, long size, String path) {
    if (idx.length() >= size) {
      problems.add(path + ": removes " + idx.length() + " of " + size + " (something must stay)");
    }
    long last = -1;
    for (int k = 0; k < idx.length(); k++) {
      long v = idx.get(k);
      if (v < 0 || v >= size) {
        problems.add(path + "[" + k + "]: index " + v + " is out of range for size " + size);
        return;
      }
      if (v <= last) {
        problems.add(path + "[" + k + "]: indices must be sorted and distinct");
        return;
      }
      last = v;
    }
  }
}
