package io.jprune.agent;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Entry points of the jprune agent: {@code -javaagent:jprune-agent.jar=ARGS} ({@link #premain}),
 * attach to a running JVM ({@link #agentmain}, same ARGS, see {@link AgentConfig}) and, for
 * libraries such as the pruner, {@link #selfAttach(AgentConfig)}.
 *
 * <p>All three install the same thing once per JVM: every traced call in a model class (Tensor
 * methods, {@code torch.*} statics, module {@code forward}) becomes an invokedynamic site linked
 * through {@code io.jprune.tracer.site.Sites}, which costs nothing measurable while no trace
 * session records. Later calls only add packages (and arm recording); they never undo anything.
 */
public final class JPruneAgent {
  private static AgentInstallation installation;

  /** Given by {@link LauncherAgent} before main; used by the first {@link #selfAttach}. */
  private static Instrumentation launched;

  private JPruneAgent() {}

  /**
   * {@code -javaagent} entry. Malformed arguments throw, which aborts the JVM start with the
   * message listing the accepted keys.
   */
  public static void premain(String args, Instrumentation instrumentation) {
    apply(instrumentation, AgentConfig.parse(args));
  }

  /** Entry when attached to a running JVM; loaded model classes are retransformed. */
  public static void agentmain(String args, Instrumentation instrumentation) {
    apply(instrumentation, AgentConfig.parse(args));
  }

  /**
   * Attaches the agent to this JVM (if not yet attached) with {@code config}: without packages,
   * every class that calls libtorch is instrumented; with packages, they restrict it (see {@link
   * AgentConfig}). Already-loaded classes are retransformed. Idempotent: calling again with the
   * same config changes nothing; more packages widen a restriction and instrument only what they
   * add; the whole application stays the whole application. Every call also retransforms any loaded
   * model class that never reached the transformer (one loaded while a class transformation was
   * running on its thread: the JVM shows such a class to no transformer of the agent), so that a
   * trace started after this call misses no model class. The agent also looks for such classes in
   * the background shortly after model classes were rewritten, for JVMs in which no further call
   * comes.
   *
   * <p>In a JVM started from an executable jar whose manifest names {@link LauncherAgent} as {@code
   * Launcher-Agent-Class}, the first call installs through the instrumentation the launcher gave:
   * no attach, no flag. Otherwise the first call attaches, which needs {@code
   * -Djdk.attach.allowAttachSelf=true} on JDK 9+ and, on JDK 21+, {@code
   * -XX:+EnableDynamicAgentLoading} to avoid a warning (JEP 451).
   *
   * @throws IllegalStateException when the JVM cannot be attached to, or a loaded model class could
   *     not be retransformed (the message names each class and the reason)
   */
  public static void selfAttach(AgentConfig config) {
    checkNotNull(config, "config");
    synchronized (JPruneAgent.class) {
      if (installation != null) {
        installation.extend(config);
        return;
      }
    }
    Instrumentation instrumentation;
    synchronized (JPruneAgent.class) {
      instrumentation = launched;
    }
    apply(instrumentation != null ? instrumentation : attachToThisJvm(), config);
  }

  /** Keeps the launcher's instrumentation for the first {@link #selfAttach}. */
  static synchronized void launchedWith(Instrumentation instrumentation) {
    launched = checkNotNull(instrumentation, "instrumentation");
  }

  private static Instrumentation attachToThisJvm() {
    try {
      return ByteBuddyAgent.install();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "jprune could not attach its agent to this JVM: "
              + e
              + ". Start the JVM with -javaagent:jprune-agent.jar=packages=..., or allow"
              + " self-attach with -Djdk.attach.allowAttachSelf=true",
          e);
    }
  }

  private static synchronized void apply(Instrumentation instrumentation, AgentConfig config) {
    if (installation == null) {
      installation = AgentInstallation.install(instrumentation, config);
      installation.instrumentLoadedClasses();
    } else {
      installation.extend(config);
    }
  }

  /** Whether the agent is installed in this JVM (by any of the three entries). */
  public static synchronized boolean isAttached() {
    return installation != null;
  }

  /**
   * The effective configuration: every package added so far, recording files, verbosity.
   *
   * @throws IllegalStateException when the agent is not attached
   */
  public static synchronized AgentConfig config() {
    return attached().config();
  }

  /**
   * Every class rewritten so far (load time and retransformation), with its number of call sites,
   * in order of instrumentation; empty when not attached.
   */
  public static synchronized ImmutableMap<String, Integer> instrumentedClasses() {
    return installation == null ? ImmutableMap.of() : installation.rewrittenClasses();
  }

  /**
   * Model classes the agent could not instrument ({@code "com.acme.Net: reason"}): rewrite failures
   * at load time or retransformation, retransformations the JVM refused, and model classes the
   * transformer did not rewrite even when asked to retransform them. Each is also logged at WARNING
   * at once (logger {@code io.jprune.agent}); a class loader cannot be made to fail.
   */
  public static synchronized ImmutableList<String> failures() {
    return installation == null
        ? ImmutableList.of()
        : installation.failures().stream()
            .map(Object::toString)
            .collect(ImmutableList.toImmutableList());
  }

  private static AgentInstallation attached() {
    if (installation == null) {
      throw new IllegalStateException(
          "the jprune agent is not attached: call"
              + " JPruneAgent.selfAttach(config) or start the JVM with -javaagent");
    }
    return installation;
  }
}
