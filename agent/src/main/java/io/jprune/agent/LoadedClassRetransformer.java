package io.jprune.agent;

import com.google.common.collect.ImmutableList;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Sweeps: retransforms every loaded class that the policy makes model code and that the transformer
 * has not accounted for (rewritten or failed, see {@link InstrumentationLog}), one class at a time
 * so that a refusal names its class, until none is left.
 *
 * <p>At the first attach that is every loaded model class; when packages are added, the loaded
 * classes they newly cover. It also catches model classes that were loaded after the transformer
 * was installed but never reached it: the JVM shows no class to an agent's transformers while they
 * are already running on the loading thread (a class loaded from inside a transformation, e.g. by
 * reflection on the class being transformed, or by another transformer of the same agent), and
 * ByteBuddy's circularity lock skips it as well, both silently. Such classes are retransformed here
 * with a note in the agent's log; a model class that is still not rewritten afterwards is a
 * failure, never a silent gap in the trace.
 */
final class LoadedClassRetransformer {
  /** What one sweep did: the classes retransformed and what went wrong with them. */
  record Sweep(ImmutableList<Class<?>> retransformed, ImmutableList<String> problems) {
    /**
     * @throws IllegalStateException naming every class that could not be instrumented and why
     */
    void throwIfProblems() {
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            "jprune agent could not instrument "
                + problems.size()
                + " loaded model class"
                + (problems.size() == 1 ? "" : "es")
                + ":\n  "
                + String.join("\n  ", problems));
      }
    }
  }

  private final Instrumentation instrumentation;
  private final InstrumentationLog log;

  /** The policy of the last sweep: what loaded classes are known to be checked against. */
  private ModelClassPolicy applied;

  LoadedClassRetransformer(Instrumentation instrumentation, InstrumentationLog log) {
    this.instrumentation = instrumentation;
    this.log = log;
  }

  /**
   * Brings the loaded classes in line with {@code policy}, which the installed transformer already
   * applies to classes loaded from now on.
   */
  synchronized Sweep apply(ModelClassPolicy policy) {
    ModelClassPolicy before = applied;
    Sweep sweep = sweep(policy, before);
    applied = policy;
    return sweep;
  }

  /**
   * Sweeps again with the last applied policy: only classes that slipped past the transformer can
   * be found. Problems are recorded as failures (and printed) by the log.
   */
  synchronized Sweep sweepAgain() {
    return applied == null
        ? new Sweep(ImmutableList.of(), ImmutableList.of())
        : sweep(applied, applied);
  }

  /**
   * @param lateUnder the policy the transformer already applied when the classes it finds were
   *     loaded (null: none), so that a class it covers should have been rewritten at load time
   */
  private Sweep sweep(ModelClassPolicy policy, ModelClassPolicy lateUnder) {
    Set<Class<?>> attempted = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Class<?>> retransformed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    // Retransforming links classes, which may load more model classes: the next round sees them.
    List<Class<?>> round = unaccounted(policy, attempted);
    while (!round.isEmpty()) {
      for (Class<?> type : round) {
        attempted.add(type);
        String problem = retransform(type, lateUnder != null && lateUnder.covers(type));
        if (problem == null) {
          retransformed.add(type);
        } else {
          problems.add(problem);
        }
      }
      round = unaccounted(policy, attempted);
    }
    return new Sweep(ImmutableList.copyOf(retransformed), ImmutableList.copyOf(problems));
  }

  /** Retransforms one class; returns what went wrong, or null. */
  private String retransform(Class<?> type, boolean late) {
    String name = type.getName();
    if (!instrumentation.isModifiableClass(type)) {
      String reason = "the JVM does not allow retransforming it";
      log.skipped(type, reason);
      return "could not rewrite " + name + ": " + reason;
    }
    int mark = log.failureCount();
    try {
      instrumentation.retransformClasses(type);
    } catch (Exception | LinkageError e) {
      String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
      log.refused(type, "the JVM refused to retransform it: " + reason);
      return "the JVM refused to retransform " + name + ": " + reason;
    }
    if (log.isRewritten(type)) {
      if (late) {
        log.note(
            "instrumented "
                + name
                + " late: it was loaded after the agent was installed"
                + " without reaching the transformer (loaded while a class transformation was"
                + " running on its thread, or while the agent was being installed); calls it made"
                + " before now were not traced");
      }
      return null;
    }
    for (InstrumentationLog.Failure failure : log.failuresSince(mark)) {
      if (failure.className().equals(name)) {
        return "could not rewrite " + failure;
      }
    }
    String reason =
        "the transformer did not rewrite it when retransformed (a retransformation"
            + " from inside a class transformation, or a type hierarchy that cannot be read from"
            + " class files)";
    log.skipped(type, reason);
    return "could not rewrite " + name + ": " + reason;
  }

  /** Loaded classes {@code policy} covers that are neither accounted for nor attempted. */
  private List<Class<?>> unaccounted(ModelClassPolicy policy, Set<Class<?>> attempted) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (policy.covers(type) && !attempted.contains(type) && !log.accountedFor(type)) {
        out.add(type);
      }
    }
    return out;
  }
}
