package io.jprune.tracer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Calls the forward of a built-in module given as a plain {@link Module} (what containers hand
 * out). libtorch names a built-in {@code torch::nn::Conv2dImpl}; JavaCPP casts it with {@code
 * Module.asConv2d()}, whose result has a native {@code forward(Tensor)}.
 */
final class BuiltinForwards {
  private static final String PREFIX = "torch::nn::";
  private static final Map<String, Method[]> CACHE = new ConcurrentHashMap<>();

  /** Each built-in's {@code forward(Tensor)}, looked up once per class, not once per call. */
  private static final ClassValue<Method> FORWARD =
      new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
          try {
            return type.getMethod("forward", Tensor.class);
          } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(
                "cannot replay " + type.getName() + " inside a SequentialImpl: no forward(Tensor)");
          }
        }
      };

  /** {@link #isBuiltin} per class: asked after every traced module forward. */
  private static final ClassValue<Boolean> BUILTIN =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          return type.getName().startsWith("org.bytedeco.pytorch.");
        }
      };

  private BuiltinForwards() {}

  /** The typed Java view of a built-in (e.g. a {@code LinearImpl}) at the same address. */
  static Module typed(Module plain) {
    try {
      return (Module) methods(plain)[0].invoke(plain);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot cast " + libtorchName(plain), e.getCause());
    }
  }

  /** Runs {@code forward(x)} of a built-in module; rethrows what the native forward throws. */
  static Tensor forward(Module typed, Tensor x) throws Throwable {
    Method forward = FORWARD.get(typed.getClass());
    try {
      return (Tensor) forward.invoke(typed, x);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Whether {@code module} is one of libtorch's modules ({@code org.bytedeco.pytorch.*Impl}). */
  static boolean isBuiltin(Object module) {
    return BUILTIN.get(module.getClass());
  }

  static String libtorchName(Module m) {
    BytePointer name = m.name(); // a copy of the native string each call: read it once
    return name == null || name.isNull() ? "<unnamed>" : name.getString();
  }

  private static Method[] methods(Module plain) {
    String name = libtorchName(plain);
    return CACHE.computeIfAbsent(
        name,
        n -> {
          if (!n.startsWith(PREFIX) || !n.endsWith("Impl")) {
            throw new UnsupportedOperationException(
                "module type "
                    + n
                    + " is not a libtorch "
                    + "built-in; a native container (SequentialImpl) can only hold built-ins");
          }
          String base = n.substring(PREFIX.length(), n.length() - "Impl".length());
          try {
            Method cast = Module.class.getMethod("as" + base);
            cast.getReturnType().getMethod("forward", Tensor.class);
            return new Method[] {cast};
          } catch (NoSuchMethodException e) {
            throw new UnsupportedOperationException(
                "cannot replay built-in "
                    + n
                    + " inside a SequentialImpl: no Module.as"
                    + base
                    + "() with forward(Tensor)");
          }
        });
  }
}
