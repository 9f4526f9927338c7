package io.jprune.agent;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.MapMaker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.utility.JavaModule;

/**
 * What the agent did: the classes rewritten (with their site counts) and every class it failed to
 * rewrite. A ClassFileTransformer cannot throw to the class loader, so failures are logged at once
 * (WARNING) and kept here; the self-attach and agentmain paths turn the failures of the classes
 * they retransform into an {@link IllegalStateException}, so nothing fails silently.
 *
 * <p>It is also the ledger the sweeps of {@link LoadedClassRetransformer} check loaded classes
 * against: a class (its loader and name, so that two loaders' classes of one name are told apart)
 * is <em>accounted for</em> once it was rewritten or failed. A model class that is loaded but not
 * accounted for never reached the transformer: the JVM does not show a class to the transformers of
 * an agent while that agent's transformers are already running on the same thread, and ByteBuddy's
 * circularity lock skips it too, both without a trace.
 *
 * <p>Everything goes through the {@link System.Logger} {@value #LOGGER} (java.util.logging unless
 * the application plugs in another backend). The agent is quiet by default: what it did is logged
 * at DEBUG, and at INFO (shown by the default console handler) with {@code verbose=true}; what went
 * wrong is logged at WARNING either way.
 */
final class InstrumentationLog extends AgentBuilder.Listener.Adapter {
  /** A class the agent could not rewrite and why. */
  record Failure(String className, String reason) {
    @Override
    public String toString() {
      return className + ": " + reason;
    }
  }

  /** The agent's logger name. */
  static final String LOGGER = "io.jprune.agent";

  private static final System.Logger LOG = System.getLogger(LOGGER);
  private static final Object BOOTSTRAP_LOADER = new Object();

  private final Map<String, Integer> rewritten = new LinkedHashMap<>();
  private final List<Failure> failures = new ArrayList<>();

  /** Loader -> class name -> true (rewritten) or false (failed); weak in the loaders. */
  private final ConcurrentMap<Object, Map<String, Boolean>> outcomes =
      new MapMaker().weakKeys().makeMap();

  private volatile boolean verbose;
  private volatile Runnable onRewrite = () -> {};

  InstrumentationLog(boolean verbose) {
    this.verbose = verbose;
  }

  void verbose(boolean value) {
    verbose = value;
  }

  /** Runs after every rewrite (from inside the transformer: it must neither block nor load). */
  void onRewrite(Runnable action) {
    onRewrite = action;
  }

  /** Called by the class visitor when a model class of {@code loader} has been visited. */
  void rewritten(ClassLoader loader, String className, int sites) {
    synchronized (this) {
      rewritten.put(className, sites);
      outcomesOf(loader).put(className, Boolean.TRUE);
    }
    LOG.log(
        chatter(),
        () -> "instrumented " + className + ": " + sites + " call site" + (sites == 1 ? "" : "s"));
    onRewrite.run();
  }

  @Override
  public void onError(
      String typeName,
      ClassLoader classLoader,
      JavaModule module,
      boolean loaded,
      Throwable throwable) {
    fail(classLoader, typeName, describe(throwable));
  }

  /** The JVM refused the retransformation of {@code type}: it keeps the bytes it had. */
  void refused(Class<?> type, String reason) {
    fail(type.getClassLoader(), type.getName(), reason);
  }

  /**
   * {@code type} is model code but the transformer did not rewrite it, not even when asked to
   * retransform it.
   */
  void skipped(Class<?> type, String reason) {
    fail(type.getClassLoader(), type.getName(), reason);
  }

  /** Records the failure, logs it and takes the class off the rewritten ones. */
  private void fail(ClassLoader loader, String className, String reason) {
    Failure failure = new Failure(className, reason);
    synchronized (this) {
      failures.add(failure);
      outcomesOf(loader).put(className, Boolean.FALSE);
      Object own = key(loader);
      boolean rewrittenElsewhere = false;
      for (Map.Entry<Object, Map<String, Boolean>> e : outcomes.entrySet()) {
        rewrittenElsewhere |= e.getKey() != own && Boolean.TRUE.equals(e.getValue().get(className));
      }
      if (!rewrittenElsewhere) {
        rewritten.remove(className);
      }
    }
    warn("could not instrument " + failure + " (its calls will not be traced)");
  }

  /** Whether {@code type} was rewritten or failed (by its loader and name). */
  synchronized boolean accountedFor(Class<?> type) {
    Map<String, Boolean> byName = outcomes.get(key(type.getClassLoader()));
    return byName != null && byName.containsKey(type.getName());
  }

  /** Whether {@code type} itself (its loader and name) was rewritten and not failed since. */
  synchronized boolean isRewritten(Class<?> type) {
    Map<String, Boolean> byName = outcomes.get(key(type.getClassLoader()));
    return byName != null && Boolean.TRUE.equals(byName.get(type.getName()));
  }

  /** Logs what the agent did: INFO when verbose, else DEBUG. */
  void note(String message) {
    LOG.log(chatter(), message);
  }

  /** Logs what went wrong, verbose or not. */
  void warn(String message) {
    LOG.log(System.Logger.Level.WARNING, message);
  }

  private System.Logger.Level chatter() {
    return verbose ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
  }

  /** Classes rewritten so far and their number of sites, in order of instrumentation. */
  synchronized ImmutableMap<String, Integer> rewrittenClasses() {
    return ImmutableMap.copyOf(rewritten);
  }

  /** Every failure so far. */
  synchronized ImmutableList<Failure> failures() {
    return ImmutableList.copyOf(failures);
  }

  /** Number of failures so far: a mark for {@link #failuresSince}. */
  synchronized int failureCount() {
    return failures.size();
  }

  /** The failures recorded after {@code mark} (from {@link #failureCount()}). */
  synchronized ImmutableList<Failure> failuresSince(int mark) {
    return ImmutableList.copyOf(failures.subList(mark, failures.size()));
  }

  private Map<String, Boolean> outcomesOf(ClassLoader loader) {
    return outcomes.computeIfAbsent(key(loader), k -> new HashMap<>());
  }

  private static Object key(ClassLoader loader) {
    return loader == null ? BOOTSTRAP_LOADER : loader;
  }

  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(" (caused by ")
            .append(c.getClass().getSimpleName())
            .append(": ")
            .append(c.getMessage())
            .append(')');
      }
    }
    return t.getClass().getSimpleName() + ": " + sb;
  }
}
