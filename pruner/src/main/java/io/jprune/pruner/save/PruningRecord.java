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
import java.util.Map;

/**
 * What a pruned model is, as plain data: the original model's class and tensor shapes (to refuse
 * the wrong model before touching it), every surgery in order (replayed on a fresh original
 * without tracing), and the entries of the saved weights. Serialised as {@code record.json}.
 *
 * @param modelClass binary class name of the root module
 * @param originalShapes every parameter and buffer of the unpruned model, by registered name
 * @param buffers names in {@code originalShapes} that are buffers (BN running statistics, ...)
 * @param changes surgeries in the order they were applied
 * @param weights the entries of the weights archive, in order
 */
public record PruningRecord(String modelClass,
    ImmutableMap<String, ImmutableLongArray> originalShapes,
    ImmutableSet<String> buffers,
    ImmutableList<AppliedChanges> changes, ImmutableList<Weight> weights) {

  /** Format tag written into every record; a record with another tag is refused. */
  public static final String FORMAT = "jprune-pruning-record/1";

  public PruningRecord {
    checkNotNull(modelClass, "modelClass");
    checkNotNull(originalShapes, "originalShapes");
    checkNotNull(buffers, "buffers");
    checkNotNull(changes, "changes");
    checkNotNull(weights, "weights");
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
    return o.toString();
  }

  /**
   * Parses {@link #toJson()}'s output.
   *
   * @throws IllegalArgumentException when the text is not a record of this format
   */
  public static PruningRecord fromJson(String json) {
    checkNotNull(json, "json");
    JsonObject o;
    try {
      o = JsonParser.parseString(json).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException("not a pruning record: " + e.getMessage(), e);
    }
    String format = o.has("format") ? o.get("format").getAsString() : null;
    checkArgument(FORMAT.equals(format), "not a pruning record of format %s (format: %s)",
        FORMAT, format);
    ImmutableMap.Builder<String, ImmutableLongArray> shapes = ImmutableMap.builder();
    o.getAsJsonObject("originalShapes").entrySet()
        .forEach(e -> shapes.put(e.getKey(), longs(e.getValue())));
    ImmutableSet.Builder<String> buffers =
        ImmutableSet.builder();
    o.getAsJsonArray("buffers").forEach(e -> buffers.add(e.getAsString()));
    ImmutableList.Builder<AppliedChanges> changes = ImmutableList.builder();
    o.getAsJsonArray("changes").forEach(e -> changes.add(changes(e.getAsJsonObject())));
    ImmutableList.Builder<Weight> weights = ImmutableList.builder();
    for (JsonElement e : o.getAsJsonArray("weights")) {
      JsonObject w = e.getAsJsonObject();
      weights.add(new Weight(w.get("name").getAsString(), w.get("key").getAsString(),
          longs(w.get("shape")), w.get("buffer").getAsBoolean()));
    }
    return new PruningRecord(o.get("modelClass").getAsString(), shapes.build(),
        buffers.build(), changes.build(), weights.build());
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
      sites.add(x);
    }
    o.add("sitePatches", sites);
    return o;
  }

  private static AppliedChanges changes(JsonObject o) {
    ImmutableList.Builder<ParamCut> cuts = ImmutableList.builder();
    for (JsonElement e : o.getAsJsonArray("cuts")) {
      JsonObject x = e.getAsJsonObject();
      cuts.add(new ParamCut(x.get("param").getAsString(), longs(x.get("shape")),
          indexMap(x.getAsJsonObject("removed")), indexMap(x.getAsJsonObject("groupedColumns"))));
    }
    ImmutableList.Builder<AppliedChanges.Option> options = ImmutableList.builder();
    for (JsonElement e : o.getAsJsonArray("options")) {
      JsonObject x = e.getAsJsonObject();
      options.add(new AppliedChanges.Option(x.get("module").getAsString(),
          x.get("option").getAsString(), longs(x.get("before")), longs(x.get("after"))));
    }
    ImmutableList.Builder<SitePatch> sites = ImmutableList.builder();
    for (JsonElement e : o.getAsJsonArray("sitePatches")) {
      JsonObject x = e.getAsJsonObject();
      ImmutableList.Builder<ArgPatch> patches = ImmutableList.builder();
      for (JsonElement p : x.getAsJsonArray("patches")) {
        JsonObject y = p.getAsJsonObject();
        patches.add(new ArgPatch(y.get("arg").getAsInt(), longs(y.get("before")),
            longs(y.get("after")), y.get("array").getAsBoolean()));
      }
      sites.add(new SitePatch(SiteKey.parse(x.get("site").getAsString()),
          x.get("instance").getAsBoolean(), longs(x.get("originalShape")),
          longs(x.get("prunedShape")), patches.build(), x.get("location").getAsString()));
    }
    return new AppliedChanges(cuts.build(), options.build(), sites.build());
  }

  private static JsonObject indexMap(ImmutableMap<Integer, ImmutableLongArray> m) {
    JsonObject o = new JsonObject();
    m.forEach((k, v) -> o.add(Integer.toString(k), longs(v)));
    return o;
  }

  private static ImmutableMap<Integer, ImmutableLongArray> indexMap(JsonObject o) {
    ImmutableMap.Builder<Integer, ImmutableLongArray> b = ImmutableMap.builder();
    o.entrySet().forEach(e -> b.put(Integer.parseInt(e.getKey()), longs(e.getValue())));
    return b.build();
  }

  private static JsonArray longs(ImmutableLongArray a) {
    JsonArray out = new JsonArray(a.length());
    a.forEach(out::add);
    return out;
  }

  private static ImmutableLongArray longs(JsonElement e) {
    JsonArray a = e.getAsJsonArray();
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsLong();
    }
    return ImmutableLongArray.copyOf(out);
  }
}
