package io.jprune.pruner.save;

import com.google.common.primitives.ImmutableLongArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields of a parsed record.json, naming each one that is missing or of the wrong type by
 * its path ({@code changes[4].cuts[2].removed}); every problem is collected, so one error lists
 * them all. Readers return a harmless default after a problem so that reading can go on.
 */
final class RecordFields {
  private final List<String> problems = new ArrayList<>();

  List<String> problems() {
    return problems;
  }

  void problem(String path, String what) {
    problems.add(path + ": " + what);
  }

  private JsonElement get(JsonObject o, String path, String name) {
    JsonElement e = o == null ? null : o.get(name);
    if (e == null || e.isJsonNull()) {
      problem(join(path, name), "missing");
      return null;
    }
    return e;
  }

  String string(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    if (e == null) {
      return "";
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      problem(join(path, name), "expected a string, got " + e);
      return "";
    }
    return e.getAsString();
  }

  boolean bool(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    if (e == null) {
      return false;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      problem(join(path, name), "expected true or false, got " + e);
      return false;
    }
    return e.getAsBoolean();
  }

  int integer(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    return e == null ? 0 : (int) integer(e, join(path, name));
  }

  JsonObject object(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    if (e == null) {
      return new JsonObject();
    }
    if (!e.isJsonObject()) {
      problem(join(path, name), "expected an object, got " + brief(e));
      return new JsonObject();
    }
    return e.getAsJsonObject();
  }

  JsonArray array(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    if (e == null) {
      return new JsonArray();
    }
    if (!e.isJsonArray()) {
      problem(join(path, name), "expected an array, got " + brief(e));
      return new JsonArray();
    }
    return e.getAsJsonArray();
  }

  /** An element of an array that must be an object. */
  JsonObject element(JsonArray a, int i, String path) {
    JsonElement e = a.get(i);
    if (!e.isJsonObject()) {
      problem(path + "[" + i + "]", "expected an object, got " + brief(e));
      return null;
    }
    return e.getAsJsonObject();
  }

  ImmutableLongArray longs(JsonObject o, String path, String name) {
    JsonElement e = get(o, path, name);
    return e == null ? ImmutableLongArray.of() : longs(e, join(path, name));
  }

  ImmutableLongArray longs(JsonElement e, String path) {
    if (!e.isJsonArray()) {
      problem(path, "expected an array of integers, got " + brief(e));
      return ImmutableLongArray.of();
    }
    JsonArray a = e.getAsJsonArray();
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(a.get(i), path + "[" + i + "]");
    }
    return ImmutableLongArray.copyOf(out);
  }

  private long integer(JsonElement e, String path) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      double d = p.getAsDouble();
      if (d == Math.rint(d) && Math.abs(d) < 1L << 53) {
        return p.getAsLong();
      }
    }
    problem(path, "expected an integer, got " + brief(e));
    return 0;
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String brief(JsonElement e) {
    String s = e.toString();
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
