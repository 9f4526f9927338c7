package io.jprune.pruner.module;

import java.util.Arrays;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;

/**
 * A built-in module's options as live pointers ({@code options().groups()} is a {@code LongPointer}
 * into the module): read when the graph is built, written by surgery.
 */
public final class LiveOptions {
  private final String module;
  private final Object typed;
  private final Object options;

  private LiveOptions(String module, Object typed, Object options) {
    this.module = module;
    this.typed = typed;
    this.options = options;
  }

  /** libtorch's type name without namespace ({@code Conv2dImpl}); null for Java modules. */
  public static String typeName(Module m) {
    if (m.name() == null || m.name().isNull()) {
      return null;
    }
    String n = m.name().getString();
    return n.startsWith("torch::nn::") ? n.substring("torch::nn::".length()) : null;
  }

  /**
   * The typed view ({@code LinearImpl}, {@code Conv2dImpl}, ...) of a plain built-in module
   * (libtorch names some without the {@code Impl} suffix, e.g. MultiheadAttention).
   */
  public static Object typed(Module plain) {
    String type = typeName(plain);
    if (type == null) {
      return plain;
    }
    String base = type.endsWith("Impl") ? type.substring(0, type.length() - 4) : type;
    try {
      return Module.class.getMethod("as" + base).invoke(plain);
    } catch (ReflectiveOperationException e) {
      return plain;
    }
  }

  /** The options of {@code plain}, the module at {@code path}; refused when it has none. */
  public static LiveOptions of(String path, Module plain) {
    Object typed = typed(plain);
    try {
      return new LiveOptions(path, typed, typed.getClass().getMethod("options").invoke(typed));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("module '" + path + "' has no options", e);
    }
  }

  /** Whether {@code plain} has options jprune can read. */
  public static boolean exists(Module plain) {
    Object typed = typed(plain);
    try {
      typed.getClass().getMethod("options");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * The live pointer of one option (a {@code LongPointer} or {@code LongVector}). A name {@code
   * holder#field} reads {@code field} of another options object of the module, e.g. {@code
   * options_base#hidden_size}: libtorch's recurrent layers check their input against {@code
   * options_base}, a copy of {@code options}.
   */
  public Object pointer(String name) {
    int hash = name.indexOf('#');
    try {
      Object holder =
          hash < 0 ? options : typed.getClass().getMethod(name.substring(0, hash)).invoke(typed);
      return holder.getClass().getMethod(name.substring(hash + 1)).invoke(holder);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "options " + options.getClass().getSimpleName() + " of '" + module + "' have no " + name,
          e);
    }
  }

  /** The value of one option. */
  public long[] read(String name) {
    return read(pointer(name));
  }

  /** The value behind an option pointer. */
  public static long[] read(Object pointer) {
    if (pointer instanceof LongPointer p) {
      return new long[] {p.get()};
    }
    if (pointer instanceof LongVector v) {
      return v.get();
    }
    throw new IllegalArgumentException("unsupported option pointer " + pointer);
  }

  /** Writes a value behind an option pointer. */
  public static void write(Object pointer, long[] value) {
    if (pointer instanceof LongPointer p) {
      p.put(value[0]);
    } else if (pointer instanceof LongVector vec) {
      vec.put(value);
    } else {
      throw new IllegalArgumentException(
          "cannot write " + Arrays.toString(value) + " to " + pointer);
    }
  }
}
