package io.jprune.agent;

import com.google.common.collect.ImmutableList;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.bytebuddy.description.type.TypeDescription;

/**
 * Retransforms the already-loaded classes that a new policy makes model code (all of them at the
 * first attach; only the newly covered ones when packages are added), one class at a time so that
 * a refusal names its class. The JVM's refusals and the rewriter's failures are both reported in
 * one {@link IllegalStateException}: a model class left untraced would otherwise only show up as
 * a silently incomplete trace.
 */
final class LoadedClassRetransformer {
  private final Instrumentation instrumentation;
  private final InstrumentationLog log;

  LoadedClassRetransformer(Instrumentation instrumentation, InstrumentationLog log) {
    this.instrumentation = instrumentation;
    this.log = log;
  }

  /**
   * @param before the policy already applied to loaded classes, or null when none was
   * @param after the policy the installed transformer now applies
   * @return the classes retransformed
   * @throws IllegalStateException naming every class that could not be retransformed and why
   */
  ImmutableList<Class<?>> retransform(ModelClassPolicy before, ModelClassPolicy after) {
    List<Class<?>> attempted = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    int mark = log.failureCount();
    // Retransforming links classes, which may load more model classes; those that slipped past
    // the transformer (loaded while it was busy) are picked up by the next round.
    List<Class<?>> round = newlyCovered(before, after, attempted);
    while (!round.isEmpty()) {
      for (Class<?> type : round) {
        attempted.add(type);
        try {
          instrumentation.retransformClasses(type);
        } catch (Exception | LinkageError e) {
          problems.add("the JVM refused to retransform " + type.getName() + ": "
              + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
      round = newlyCovered(before, after, attempted);
    }
    for (InstrumentationLog.Failure failure : log.failuresSince(mark)) {
      if (attempted.stream().anyMatch(t -> t.getName().equals(failure.className()))) {
        problems.add("could not rewrite " + failure);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("jprune agent could not instrument " + problems.size()
          + " loaded model class" + (problems.size() == 1 ? "" : "es") + ":\n  "
          + String.join("\n  ", problems));
    }
    return ImmutableList.copyOf(attempted);
  }

  /** Loaded classes {@code after} covers and {@code before} did not, not yet attempted nor done. */
  private List<Class<?>> newlyCovered(ModelClassPolicy before, ModelClassPolicy after,
      List<Class<?>> attempted) {
    Set<String> done = attempted.isEmpty() ? Set.of() : log.rewrittenClasses().keySet();
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      if (type.isArray() || type.isPrimitive() || type.isHidden()
          || NeverInstrumented.covers(type.getName()) || type.getClassLoader() == null
          || !instrumentation.isModifiableClass(type)) {
        continue;
      }
      TypeDescription description = TypeDescription.ForLoadedType.of(type);
      if (after.isModelClass(description)
          && (before == null || !before.isModelClass(description))
          && !attempted.contains(type) && !done.contains(type.getName())) {
        out.add(type);
      }
    }
    return out;
  }
}
