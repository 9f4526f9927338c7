package io.jprune.tracer.export;

import com.google.common.primitives.ImmutableLongArray;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.CallSiteInfo;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a trace as JSON: root type, modules, parameters, tensors (by id) and calls with their call
 * sites. Tensors in values are written as ids into the {@code tensors} array.
 */
public final class TraceJson {
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();

  private TraceJson() {}

  /** The whole trace as a JSON tree. */
  public static JsonObject toJson(Trace trace) {
    JsonObject root = new JsonObject();
    root.addProperty("root", trace.rootType());
    JsonObject modules = new JsonObject();
    trace.modules().forEach(modules::addProperty);
    root.add("modules", modules);
    root.add("parameters", shapes(trace.parameters()));
    root.add("buffers", shapes(trace.buffers()));
    JsonArray tensors = new JsonArray();
    for (TensorRef t : trace.tensors()) {
      tensors.add(tensor(t));
    }
    root.add("tensors", tensors);
    JsonArray calls = new JsonArray();
    for (TracedCall c : trace.calls()) {
      calls.add(call(c));
    }
    root.add("calls", calls);
    return root;
  }

  /** Pretty-printed JSON text. */
  public static String toString(Trace trace) {
    return GSON.toJson(toJson(trace));
  }

  /** Writes the JSON to a file (UTF-8), creating parent folders. */
  public static void write(Trace trace, Path file) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      GSON.toJson(toJson(trace), w);
    }
  }

  private static JsonObject shapes(Map<String, ImmutableLongArray> byName) {
    JsonObject o = new JsonObject();
    byName.forEach((name, shape) -> o.add(name, longs(shape)));
    return o;
  }

  private static JsonObject tensor(TensorRef t) {
    JsonObject o = new JsonObject();
    o.addProperty("id", t.id());
    o.add("shape", longs(t.shape()));
    o.addProperty("dtype", t.dtype());
    o.addProperty("device", t.device());
    o.addProperty("origin", t.origin().name());
    o.addProperty("name", t.name());
    o.addProperty("version", t.version());
    o.addProperty("producer", t.producer());
    return o;
  }

  private static JsonObject call(TracedCall c) {
    JsonObject o = new JsonObject();
    o.addProperty("index", c.index());
    o.addProperty("kind", c.kind().name());
    o.addProperty("op", c.site().op());
    o.add("site", site(c.site()));
    o.add("receiver", c.receiver() == null ? JsonNull.INSTANCE : value(c.receiver()));
    JsonArray args = new JsonArray();
    c.args().forEach(v -> args.add(value(v)));
    o.add("args", args);
    o.add("result", value(c.result()));
    o.addProperty("parent", c.parent());
    o.addProperty("expanded", c.expanded());
    o.addProperty("failure", c.failure());
    return o;
  }

  private static JsonObject site(CallSiteInfo s) {
    JsonObject o = new JsonObject();
    o.addProperty("key", s.key().format());
    o.addProperty("class", s.key().className());
    o.addProperty("method", s.key().methodName());
    o.addProperty("file", s.sourceFile());
    o.addProperty("line", s.line());
    o.addProperty("ordinal", s.key().ordinal());
    o.addProperty("target", s.targetOwner() + "." + s.targetName() + s.targetDescriptor());
    return o;
  }

  private static JsonElement value(Value v) {
    JsonObject o = new JsonObject();
    if (v instanceof Value.TensorValue t) {
      o.addProperty("tensor", t.tensor().id());
    } else if (v instanceof Value.TensorListValue l) {
      JsonArray ids = new JsonArray();
      l.tensors().forEach(t -> ids.add(t.id()));
      o.add("tensors", ids);
    } else if (v instanceof Value.LongValue l) {
      o.addProperty("long", l.value());
    } else if (v instanceof Value.LongArrayValue a) {
      o.add("longs", longs(a.values()));
    } else if (v instanceof Value.DoubleValue d) {
      o.add("double", finite(d.value()));
    } else if (v instanceof Value.BooleanValue b) {
      o.addProperty("bool", b.value());
    } else if (v instanceof Value.ScalarValue s) {
      o.add("scalar", s.integral() ? new JsonPrimitive((long) s.value()) : finite(s.value()));
    } else if (v instanceof Value.ModuleValue m) {
      o.addProperty("module", m.path());
      o.addProperty("type", m.type());
    } else if (v instanceof Value.TextValue t) {
      o.addProperty("text", t.text());
    } else if (v instanceof Value.OtherValue x) {
      o.addProperty("other", x.type());
    } else {
      return JsonNull.INSTANCE;
    }
    return o;
  }

  /** JSON has no NaN or infinities; write those as strings. */
  private static JsonElement finite(double d) {
    return Double.isFinite(d) ? new JsonPrimitive(d) : new JsonPrimitive(Double.toString(d));
  }

  private static JsonArray longs(ImmutableLongArray values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }
}
