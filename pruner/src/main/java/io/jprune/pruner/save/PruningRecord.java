package io.jprune.pruner.save;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.jprune.pruner.graph.ArgPatch;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.SitePatch;
import io.jprune.pruner.surgery.AppliedChanges;
import io.jprune.tracer.site.SiteKey;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a pruned model is, as plain data: the original model's class and tensor shapes (to refuse
 * the wrong model before touching it), every surgery in order (replayed on a fresh original without
 * tracing), and the entries of the saved weights. Serialised as {@code record.json}.
 *
 * @param modelClass binary class name of the root module
 * @param originalShapes every parameter and buffer of the unpruned model, by registered name
 * @param buffers names in {@code originalShapes} that are buffers (BN running statistics, ...)
 * @param changes surgeries in the order they were applied
 * @param weights the entries of the weights archive, in order
 * @param weightsSha256 hex SHA-256 of the weights file, checked before it is read
 */
public record PruningRecord(
    String modelClass,
    ImmutableMap<String, ImmutableLongArray> originalShapes,
    ImmutableSet<String> buffers,
    ImmutableList<AppliedChanges> changes,
    ImmutableList<Weight> weights,
    String weightsSha256) {

  /**
   * Format tag written into every record; a record with another tag is refused (format 1 had no
   * checksum of the weights).
   */
  public static final String FORMAT = "jprune-pruning-record/2";

  /** Checks that no component is null and that every buffer has an original shape. */
  public PruningRecord {
    checkNotNull(modelClass, "modelClass");
    checkNotNull(originalShapes, "originalShapes");
    checkNotNull(buffers, "buffers");
    checkNotNull(changes, "changes");
    checkNotNull(weights, "weights");
    checkNotNull(weightsSha256, "weightsSha256");
    for (String b : buffers) {
      checkArgument(originalShapes.containsKey(b), "buffer %s has no original shape", b);
    }
  }

  /**
   * One tensor of the weights archive.
   *
   * @param name registered name in the model
   * @param key archive key ({@code t0}, {@code t1}, ...: libtorch archives refuse dotted keys)
   * @param shape pruned shape
   * @param buffer whether it is a buffer rather than a parameter
   */
  public record Weight(String name, String key, ImmutableLongArray shape, boolean buffer) {
    /** Checks that no component is null. */
    public Weight {
      checkNotNull(name, "name");
      checkNotNull(key, "key");
      checkNotNull(shape, "shape");
    }
  }

  /** The shapes every tensor has once all changes are replayed. */
  public ImmutableMap<String, ImmutableLongArray> prunedShapes() {
    Map<String, ImmutableLongArray> shapes = new java.util.LinkedHashMap<>(originalShapes);
    for (AppliedChanges c : changes) {
      for (ParamCut cut : c.cuts()) {
        shapes.put(cut.param(), ImmutableLongArray.copyOf(cut.newShape()));
      }
    }
    return ImmutableMap.copyOf(shapes);
  }

  /** Compact JSON (index lists make pretty-printing long). */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("modelClass", modelClass);
    JsonObject shapes = new JsonObject();
    originalShapes.forEach((k, v) -> shapes.add(k, longs(v)));
    o.add("originalShapes", shapes);
    JsonArray buf = new JsonArray();
    buffers.forEach(buf::add);
    o.add("buffers", buf);
    JsonArray steps = new JsonArray();
    for (AppliedChanges c : changes) {
      steps.add(changes(c));
    }
    o.add("changes", steps);
    JsonArray w = new JsonArray();
    for (Weight x : weights) {
      JsonObject e = new JsonObject();
      e.addProperty("name", x.name());
      e.addProperty("key", x.key());
      e.add("shape", longs(x.shape()));
      e.addProperty("buffer", x.buffer());
      w.add(e);
    }
    o.add("weights", w);
    o.addProperty("weightsSha256", weightsSha256);
    return o.toString();
  }

  /**
   * Parses {@link #toJson()}'s output, checking every field.
   *
   * @throws IllegalArgumentException when the text is not a record of this format, naming every
   *     missing or malformed field by its path (e.g. {@code changes[0].cuts[3].param: missing})
   */
  public static PruningRecord fromJson(String json) {
    checkNotNull(json, "json");
    JsonObject o;
    try {
      o = JsonParser.parseString(json).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("not a pruning record: " + e.getMessage(), e);
    }
    JsonElement f = o.get("format");
    String format = f != null && f.isJsonPrimitive() ? f.getAsString() : null;
    checkArgument(
        FORMAT.equals(format), "not a pruning record of format %s (format: %s)", FORMAT, format);
    RecordFields r = new RecordFields();
    String modelClass = r.string(o, "", "modelClass");
    ImmutableMap<String, ImmutableLongArray> shapes = originalShapes(o, r);
    ImmutableSet<String> buffers = buffers(o, shapes, r);
    ImmutableList<AppliedChanges> changes = changes(o, r);
    ImmutableList<Weight> weights = weights(o, r);
    String sha = r.string(o, "", "weightsSha256");
    if (!sha.isEmpty() && !sha.matches("[0-9a-f]{64}")) {
      r.problem("weightsSha256", "expected 64 hex digits, got " + sha);
    }
    checkArgument(
        r.problems().isEmpty(),
        "%s is not a valid pruning record: %s",
        "record.json",
        String.join("; ", r.problems()));
    return new PruningRecord(modelClass, shapes, buffers, changes, weights, sha);
  }

  private static ImmutableMap<String, ImmutableLongArray> originalShapes(
      JsonObject o, RecordFields r) {
    Map<String, ImmutableLongArray> shapes = new LinkedHashMap<>();
    r.object(o, "", "originalShapes")
        .entrySet()
        .forEach(
            e -> shapes.put(e.getKey(), r.longs(e.getValue(), "originalShapes." + e.getKey())));
    return ImmutableMap.copyOf(shapes);
  }

  private static ImmutableSet<String> buffers(
      JsonObject o, Map<String, ImmutableLongArray> shapes, RecordFields r) {
    Set<String> buffers = new LinkedHashSet<>();
    JsonArray bufferArray = r.array(o, "", "buffers");
    for (int i = 0; i < bufferArray.size(); i++) {
      JsonElement b = bufferArray.get(i);
      if (!b.isJsonPrimitive() || !shapes.containsKey(b.getAsString())) {
        r.problem("buffers[" + i + "]", "names no tensor of originalShapes: " + b);
      } else {
        buffers.add(b.getAsString());
      }
    }
    return ImmutableSet.copyOf(buffers);
  }

  private static ImmutableList<AppliedChanges> changes(JsonObject o, RecordFields r) {
    ImmutableList.Builder<AppliedChanges> changes = ImmutableList.builder();
    JsonArray steps = r.array(o, "", "changes");
    for (int i = 0; i < steps.size(); i++) {
      JsonObject step = r.element(steps, i, "changes");
      if (step != null) {
        changes.add(changes(step, "changes[" + i + "]", r));
      }
    }
    return changes.build();
  }

  private static ImmutableList<Weight> weights(JsonObject o, RecordFields r) {
    ImmutableList.Builder<Weight> weights = ImmutableList.builder();
    JsonArray ws = r.array(o, "", "weights");
    for (int i = 0; i < ws.size(); i++) {
      JsonObject w = r.element(ws, i, "weights");
      if (w != null) {
        String path = "weights[" + i + "]";
        weights.add(
            new Weight(
                r.string(w, path, "name"),
                r.string(w, path, "key"),
                r.longs(w, path, "shape"),
                r.bool(w, path, "buffer")));
      }
    }
    return weights.build();
  }

  private static JsonObject changes(AppliedChanges c) {
    JsonObject o = new JsonObject();
    JsonArray cuts = new JsonArray();
    for (ParamCut cut : c.cuts()) {
      JsonObject x = new JsonObject();
      x.addProperty("param", cut.param());
      x.add("shape", longs(cut.shape()));
      x.add("removed", indexMap(cut.removed()));
      x.add("groupedColumns", indexMap(cut.groupedColumns()));
      cuts.add(x);
    }
    o.add("cuts", cuts);
    JsonArray options = new JsonArray();
    for (AppliedChanges.Option op : c.options()) {
      JsonObject x = new JsonObject();
      x.addProperty("module", op.module());
      x.addProperty("option", op.option());
      x.add("before", longs(op.before()));
      x.add("after", longs(op.after()));
      options.add(x);
    }
    o.add("options", options);
    JsonArray sites = new JsonArray();
    for (SitePatch p : c.sitePatches()) {
      sites.add(sitePatch(p));
    }
    o.add("sitePatches", sites);
    return o;
  }

  private static JsonObject sitePatch(SitePatch p) {
    JsonObject x = new JsonObject();
    x.addProperty("site", p.key().format());
    x.addProperty("instance", p.instance());
    x.add("originalShape", longs(p.originalShape()));
    x.add("prunedShape", longs(p.prunedShape()));
    JsonArray patches = new JsonArray();
    for (ArgPatch a : p.patches()) {
      JsonObject y = new JsonObject();
      y.addProperty("arg", a.argIndex());
      y.add("before", longs(a.before()));
      y.add("after", longs(a.after()));
      y.addProperty("array", a.array());
      patches.add(y);
    }
    x.add("patches", patches);
    x.addProperty("location", p.location());
    return x;
  }

  private static AppliedChanges changes(JsonObject o, String path, RecordFields r) {
    return new AppliedChanges(cuts(o, path, r), options(o, path, r), sitePatches(o, path, r));
  }

  private static ImmutableList<ParamCut> cuts(JsonObject o, String path, RecordFields r) {
    ImmutableList.Builder<ParamCut> cuts = ImmutableList.builder();
    JsonArray cutArray = r.array(o, path, "cuts");
    for (int i = 0; i < cutArray.size(); i++) {
      String p = path + ".cuts[" + i + "]";
      JsonObject x = r.element(cutArray, i, path + ".cuts");
      if (x != null) {
        cuts.add(
            new ParamCut(
                r.string(x, p, "param"),
                r.longs(x, p, "shape"),
                indexMap(r.object(x, p, "removed"), p + ".removed", r),
                indexMap(r.object(x, p, "groupedColumns"), p + ".groupedColumns", r)));
      }
    }
    return cuts.build();
  }

  private static ImmutableList<AppliedChanges.Option> options(
      JsonObject o, String path, RecordFields r) {
    ImmutableList.Builder<AppliedChanges.Option> options = ImmutableList.builder();
    JsonArray optionArray = r.array(o, path, "options");
    for (int i = 0; i < optionArray.size(); i++) {
      String p = path + ".options[" + i + "]";
      JsonObject x = r.element(optionArray, i, path + ".options");
      if (x != null) {
        options.add(
            new AppliedChanges.Option(
                r.string(x, p, "module"),
                r.string(x, p, "option"),
                r.longs(x, p, "before"),
                r.longs(x, p, "after")));
      }
    }
    return options.build();
  }

  private static ImmutableList<SitePatch> sitePatches(JsonObject o, String path, RecordFields r) {
    ImmutableList.Builder<SitePatch> sites = ImmutableList.builder();
    JsonArray siteArray = r.array(o, path, "sitePatches");
    for (int i = 0; i < siteArray.size(); i++) {
      JsonObject x = r.element(siteArray, i, path + ".sitePatches");
      if (x != null) {
        sitePatch(x, path + ".sitePatches[" + i + "]", r).ifPresent(sites::add);
      }
    }
    return sites.build();
  }

  /** A site patch; empty (with the problem noted) when its site does not parse. */
  private static Optional<SitePatch> sitePatch(JsonObject x, String p, RecordFields r) {
    ImmutableList.Builder<ArgPatch> patches = ImmutableList.builder();
    JsonArray patchArray = r.array(x, p, "patches");
    for (int j = 0; j < patchArray.size(); j++) {
      String q = p + ".patches[" + j + "]";
      JsonObject y = r.element(patchArray, j, p + ".patches");
      if (y != null) {
        patches.add(
            new ArgPatch(
                r.integer(y, q, "arg"),
                r.longs(y, q, "before"),
                r.longs(y, q, "after"),
                r.bool(y, q, "array")));
      }
    }
    String site = r.string(x, p, "site");
    SiteKey key;
    try {
      key = SiteKey.parse(site);
    } catch (RuntimeException e) {
      r.problem(p + ".site", "not a call site: " + site);
      return Optional.empty();
    }
    return Optional.of(
        new SitePatch(
            key,
            r.bool(x, p, "instance"),
            r.longs(x, p, "originalShape"),
            r.longs(x, p, "prunedShape"),
            patches.build(),
            r.string(x, p, "location")));
  }

  private static JsonObject indexMap(ImmutableMap<Integer, ImmutableLongArray> m) {
    JsonObject o = new JsonObject();
    m.forEach((k, v) -> o.add(Integer.toString(k), longs(v)));
    return o;
  }

  private static ImmutableMap<Integer, ImmutableLongArray> indexMap(
      JsonObject o, String path, RecordFields r) {
    ImmutableMap.Builder<Integer, ImmutableLongArray> b = ImmutableMap.builder();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      int dim;
      try {
        dim = Integer.parseInt(e.getKey());
      } catch (NumberFormatException x) {
        r.problem(path + "." + e.getKey(), "expected a dim number as key");
        continue;
      }
      b.put(dim, r.longs(e.getValue(), path + "." + e.getKey()));
    }
    return b.build();
  }

  private static JsonArray longs(ImmutableLongArray a) {
    JsonArray out = new JsonArray(a.length());
    a.forEach(out::add);
    return out;
  }
}
