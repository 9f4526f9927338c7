package io.jprune.tracer.site;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;

/**
 * Calls the agent inserts into application code besides the traced sites, so that a pruning done
 * behind the application's back can keep its training state consistent:
 *
 * <ul>
 *   <li>{@link #optimizerCreated} after each {@code new SGD(...)} (Adam, AdamW, RMSprop, Adagrad,
 *       LBFGS): the optimizers whose state holds parameter shapes;
 *   <li>{@link #beforeModuleLoad} before each {@code module.load(InputArchive)}: where a saved
 *       pruning is re-applied, or a pruned checkpoint refused for an unpruned model.
 * </ul>
 *
 * <p>Optimizers are held weakly (the application owns them). JVM-wide by nature, like the call
 * sites: the code that calls these hooks is rewritten once per class. No libtorch types here (see
 * {@link Sites}).
 */
public final class AppHooks {
  private static final Map<Object, Boolean> OPTIMIZERS =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile BiConsumer<Object, Object> loadListener;

  private AppHooks() {}

  /** Called by rewritten application code with each optimizer it constructs. */
  public static void optimizerCreated(Object optimizer) {
    if (optimizer != null) {
      OPTIMIZERS.put(optimizer, Boolean.TRUE);
    }
  }

  /** The optimizers constructed by instrumented code that are still reachable. */
  public static List<Object> optimizers() {
    synchronized (OPTIMIZERS) {
      return new ArrayList<>(OPTIMIZERS.keySet());
    }
  }

  /**
   * Called by rewritten application code before {@code module.load(archive)}; an exception thrown
   * by the listener reaches the application's call.
   */
  public static void beforeModuleLoad(Object module, Object archive) {
    BiConsumer<Object, Object> listener = loadListener;
    if (listener != null) {
      listener.accept(module, archive);
    }
  }

  /** Installs (replacing any) the listener of {@link #beforeModuleLoad}; null removes it. */
  public static void onModuleLoad(BiConsumer<Object, Object> listener) {
    loadListener = listener;
  }

  /** For tests: forgets the optimizers seen so far. */
  public static void forgetOptimizers() {
    OPTIMIZERS.clear();
  }
}
