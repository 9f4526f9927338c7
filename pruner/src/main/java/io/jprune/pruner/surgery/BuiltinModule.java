package io.jprune.pruner.surgery;

import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;

/** Built-in libtorch modules of a model, by path, cast to their typed Java view. */
final class BuiltinModule {
  private BuiltinModule() {}

  /** libtorch's type name without namespace, e.g. {@code Conv2dImpl}; null for Java modules. */
  static String typeName(Module m) {
    if (m.name() == null || m.name().isNull()) {
      return null;
    }
    String n = m.name().getString();
    return n.startsWith("torch::nn::") ? n.substring("torch::nn::".length()) : null;
  }

  /** The module at {@code path} (registered name in the root). */
  static Module at(Module root, String path) {
    if (path.isEmpty()) {
      return root;
    }
    StringSharedModuleDict named = root.named_modules();
    for (long i = 0; i < named.size(); i++) {
      if (named.get(i).key() != null && !named.get(i).key().isNull()
          && named.get(i).key().getString().equals(path)) {
        return named.get(i).value();
      }
    }
    throw new IllegalStateException("the model has no module '" + path + "'");
  }

  /** The typed view ({@code LinearImpl}, {@code Conv2dImpl}, ...) of a plain built-in module. */
  static Object typed(Module plain) {
    String type = typeName(plain);
    if (type == null || !type.endsWith("Impl")) {
      return plain;
    }
    String base = type.substring(0, type.length() - "Impl".length());
    try {
      return Module.class.getMethod("as" + base).invoke(plain);
    } catch (ReflectiveOperationException e) {
      return plain;
    }
  }

  static Map.Entry<String, String> split(String param) {
    int dot = param.lastIndexOf('.');
    return Map.entry(dot < 0 ? "" : param.substring(0, dot), param.substring(dot + 1));
  }
}
