package io.jprune.pruner.module;

import com.google.common.collect.ImmutableMap;
import java.lang.ref.Reference;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;

/**
 * The modules registered under a root, by path, read from one {@code named_modules()} walk: a
 * lookup is a map read, where walking the modules through JNI per lookup is quadratic when a whole
 * model's modules are looked up. Holds the root, whose Java object keeps the modules of its dict
 * alive.
 */
public final class NamedModules {
  private final Module root;
  private final ImmutableMap<String, Module> byPath;

  private NamedModules(Module root, ImmutableMap<String, Module> byPath) {
    this.root = root;
    this.byPath = byPath;
  }

  /** The root's modules as they are registered now (the root itself under the empty path). */
  public static NamedModules of(Module root) {
    StringSharedModuleDict named = root.named_modules();
    ImmutableMap.Builder<String, Module> byPath = ImmutableMap.builder();
    byPath.put("", root);
    for (long i = 0; i < named.size(); i++) {
      var item = named.get(i);
      if (item.key() != null && !item.key().isNull() && !item.key().getString().isEmpty()) {
        byPath.put(item.key().getString(), item.value());
      }
    }
    Reference.reachabilityFence(named); // the items point into the dict
    return new NamedModules(root, byPath.buildKeepingLast());
  }

  /** The module registered at {@code path} (the root at the empty path). */
  public Module at(String path) {
    Module m = byPath.get(path);
    if (m == null) {
      throw new IllegalStateException("the model has no module '" + path + "'");
    }
    return m;
  }

  /** The root these modules were read from. */
  public Module root() {
    return root;
  }
}
