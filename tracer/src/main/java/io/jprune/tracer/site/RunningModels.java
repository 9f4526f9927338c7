package io.jprune.tracer.site;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Which model's rewrites apply on each thread. The models with rewrites are bound weakly to their
 * roots; the model whose module forward runs on a thread is that thread's current one: a forward
 * entry hook makes the entered module's model current ({@link #enter}), and a Java module's forward
 * called through a site puts back the caller's when it returns or throws ({@link #restoring}).
 * Changes to the bindings are made under {@link Sites}' lock.
 */
final class RunningModels {
  /** {@code (Object module)void}: {@link #enter}, for the entry hooks. */
  static final MethodHandle ENTER;

  private static final MethodHandle SAVE;
  private static final MethodHandle RESTORE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ENTER =
          lookup.findStatic(
              RunningModels.class, "enter", MethodType.methodType(void.class, Object.class));
      SAVE = lookup.findStatic(RunningModels.class, "saved", MethodType.methodType(Object.class));
      RESTORE =
          lookup.findStatic(
              RunningModels.class, "restore", MethodType.methodType(void.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final Cleaner CLEANER = Cleaner.create();

  /** Every model with a rewrites table, bound weakly to its root. */
  private static final List<Binding> BOUND = new ArrayList<>();

  /** The bound models that rewrite at least one site: whose modules the entry hooks look for. */
  private static volatile ModelRewrites[] active = new ModelRewrites[0];

  /** The keys some active model rewrites: their sites go through the dispatcher. */
  private static volatile Set<SiteKey> rewritten = Set.of();

  private static final ThreadLocal<ModelRewrites> CURRENT = new ThreadLocal<>();

  private RunningModels() {}

  /** The table bound to {@code root}, bound now (empty) if there is none; under Sites' lock. */
  static ModelRewrites bind(Object root, Predicate<Object> members) {
    Optional<ModelRewrites> bound = boundTo(root);
    if (bound.isPresent()) {
      return bound.get();
    }
    ModelRewrites table = new ModelRewrites(members);
    BOUND.add(new Binding(new WeakReference<>(root), table));
    CLEANER.register(root, table::release);
    return table;
  }

  /** The live table bound to {@code root}, if any; under Sites' lock. */
  static Optional<ModelRewrites> boundTo(Object root) {
    for (Binding b : BOUND) {
      if (b.root.get() == root && !b.table.released()) {
        return Optional.of(b.table);
      }
    }
    return Optional.empty();
  }

  /** Drops released tables and recomputes the active ones; under Sites' lock. */
  static void refresh() {
    BOUND.removeIf(b -> b.table.released());
    List<ModelRewrites> live = new ArrayList<>();
    Set<SiteKey> keys = new HashSet<>();
    for (Binding b : BOUND) {
      if (!b.table.all().isEmpty()) {
        live.add(b.table);
        keys.addAll(b.table.all().keySet());
      }
    }
    active = live.toArray(new ModelRewrites[0]);
    rewritten = Set.copyOf(keys);
  }

  /** Whether some live model has rewrites (the entry hooks and forward calls then track it). */
  static boolean any() {
    return active.length > 0;
  }

  /** How many live models have rewrites. */
  static int count() {
    return active.length;
  }

  /** Whether some live model rewrites the site {@code key}. */
  static boolean rewrites(SiteKey key) {
    return rewritten.contains(key);
  }

  /** The model current on this thread, or null. */
  static ModelRewrites current() {
    return CURRENT.get();
  }

  /** At a Java module's forward entry: its model becomes current (none if it is no model's). */
  static void enter(Object module) {
    ModelRewrites found = null;
    for (ModelRewrites table : active) {
      if (table.owns(module)) {
        found = table;
        break;
      }
    }
    if (CURRENT.get() != found) {
      CURRENT.set(found);
    }
  }

  /** Makes {@code saved} (a {@link #current} taken earlier) current again. */
  static void restore(Object saved) {
    CURRENT.set((ModelRewrites) saved);
  }

  private static Object saved() {
    return CURRENT.get();
  }

  /** Runs {@code body} with {@code table} current, then puts back what was. */
  static <T> T callWith(ModelRewrites table, Callable<T> body) throws Exception {
    ModelRewrites saved = CURRENT.get();
    CURRENT.set(table);
    try {
      return body.call();
    } finally {
      CURRENT.set(saved);
    }
  }

  /**
   * {@code original} wrapped so that the model current before the call is current again after it,
   * however it ends: for the forward of a Java module, whose entry hook changes the current model.
   * Method handle combinators only, so the JIT inlines it with no allocation.
   */
  static MethodHandle restoring(MethodHandle original) {
    Class<?> result = original.type().returnType();
    MethodHandle body = MethodHandles.dropArguments(original, 0, Object.class);
    MethodHandle cleanup;
    if (result == void.class) {
      cleanup = MethodHandles.dropArguments(RESTORE, 0, Throwable.class);
    } else {
      // (Throwable, result, saved) -> result, restoring `saved` first
      MethodHandle pass =
          MethodHandles.dropArguments(
              MethodHandles.dropArguments(MethodHandles.identity(result), 0, Throwable.class),
              2,
              Object.class);
      MethodHandle restore = MethodHandles.dropArguments(RESTORE, 0, Throwable.class, result);
      cleanup = MethodHandles.foldArguments(pass, restore);
    }
    return MethodHandles.foldArguments(MethodHandles.tryFinally(body, cleanup), SAVE);
  }

  /** A model's rewrites and the root they are bound to. */
  private record Binding(WeakReference<Object> root, ModelRewrites table) {}
}
