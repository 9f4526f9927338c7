package io.jprune.pruner.save;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.cut.SitePatch;
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
  private RecordCheck() {}

  static void check(PruningRecord record) {
    List<String> problems = new ArrayList<>();
    Map<String, ImmutableLongArray> current = new LinkedHashMap<>(record.originalShapes());
    for (int i = 0; i < record.changes().size(); i++) {
      AppliedChanges c = record.changes().get(i);
      for (int j = 0; j < c.cuts().size(); j++) {
        String path = "changes[" + i + "].cuts[" + j + "]";
        ParamCut cut = c.cuts().get(j);
        ImmutableLongArray now = current.get(cut.param());
        if (now == null) {
          problems.add(path + ".param: " + cut.param() + " is not a tensor of the model");
          continue;
        }
        if (!now.equals(cut.shape())) {
          problems.add(
              path
                  + ".shape: "
                  + cut.shape()
                  + ", but "
                  + cut.param()
                  + " has "
                  + now
                  + " at this step");
          continue;
        }
        boolean ok = indices(cut, path, problems);
        if (ok) {
          current.put(cut.param(), ImmutableLongArray.copyOf(cut.newShape()));
        }
      }
      for (int j = 0; j < c.options().size(); j++) {
        AppliedChanges.Option o = c.options().get(j);
        String path = "changes[" + i + "].options[" + j + "]";
        if (o.before().isEmpty() || o.before().length() != o.after().length()) {
          problems.add(
              path
                  + ": before "
                  + o.before()
                  + " and after "
                  + o.after()
                  + " must be non-empty and of one length");
        }
      }
      for (int j = 0; j < c.sitePatches().size(); j++) {
        SitePatch p = c.sitePatches().get(j);
        for (int k = 0; k < p.patches().size(); k++) {
          ArgPatch a = p.patches().get(k);
          String path = "changes[" + i + "].sitePatches[" + j + "].patches[" + k + "]";
          if (a.argIndex() < 0 || a.before().length() != a.after().length()) {
            problems.add(
                path
                    + ": arg "
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
    for (String name : current.keySet()) {
      if (!names.contains(name)) {
        problems.add("weights: no entry for " + name);
      }
    }
    checkArgument(
        problems.isEmpty(),
        "%s is not a valid pruning record: %s",
        PrunedModelFiles.RECORD,
        String.join("; ", problems));
  }

  private static boolean indices(ParamCut cut, String path, List<String> problems) {
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
              sorted(idx, shape[dim], path + ".removed." + dim, problems);
            });
    if (!cut.groupedColumns().isEmpty()) {
      if (shape.length < 2) {
        problems.add(path + ".groupedColumns: " + cut.param() + " has no dim 1");
        return false;
      }
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
        sorted(e.getValue(), shape[1], p, problems);
      }
    }
    return problems.size() == before;
  }

  private static void sorted(
      ImmutableLongArray idx, long size, String path, List<String> problems) {
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
