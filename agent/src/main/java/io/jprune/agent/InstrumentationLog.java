package io.jprune.agent;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.utility.JavaModule;

/**
 * What the agent did: the classes rewritten (with their site counts) and every class it failed
 * to rewrite. A ClassFileTransformer cannot throw to the class loader, so failures are printed
 * at once and kept here; the self-attach and agentmain paths turn the failures of the classes
 * they retransform into an {@link IllegalStateException}, so nothing fails silently.
 */
final class InstrumentationLog extends AgentBuilder.Listener.Adapter {
  /** A class the agent could not rewrite and why. */
  record Failure(String className, String reason) {
    @Override
    public String toString() {
      return className + ": " + reason;
    }
  }

  private final PrintStream out;
  private final Map<String, Integer> rewritten = new LinkedHashMap<>();
  private final List<Failure> failures = new ArrayList<>();
  private volatile boolean verbose;

  InstrumentationLog(PrintStream out, boolean verbose) {
    this.out = out;
    this.verbose = verbose;
  }

  void verbose(boolean value) {
    verbose = value;
  }

  /** Called by the class visitor when a model class has been visited. */
  void rewritten(String className, int sites) {
    synchronized (this) {
      rewritten.put(className, sites);
    }
    if (verbose) {
      out.println("[jprune] instrumented " + className + ": " + sites + " call site"
          + (sites == 1 ? "" : "s"));
    }
  }

  @Override
  public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
      Throwable throwable) {
    Failure failure = new Failure(typeName, describe(throwable));
    synchronized (this) {
      failures.add(failure);
    }
    out.println("[jprune] could not instrument " + failure
        + " (its calls will not be traced)");
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

  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(" (caused by ").append(c.getClass().getSimpleName()).append(": ")
            .append(c.getMessage()).append(')');
      }
    }
    return t.getClass().getSimpleName() + ": " + sb;
  }
}
