package io.jprune.agent;

import java.lang.instrument.Instrumentation;

/**
 * The {@code Launcher-Agent-Class} of an executable jar that uses jprune (the jprune command's jar
 * is one): the JVM calls {@link #agentmain} before {@code main}, so {@link JPruneAgent#selfAttach}
 * later installs the agent through that instrumentation instead of attaching to its own JVM. No
 * {@code -Djdk.attach.allowAttachSelf}, and no JDK 21+ warning about dynamically loaded agents.
 * Nothing is installed before the first {@code selfAttach}: a run that never prunes pays nothing.
 * The jar's manifest must also say {@code Can-Retransform-Classes: true}.
 */
public final class LauncherAgent {
  private LauncherAgent() {}

  /** Called by the launcher with the jar's instrumentation; {@code args} is empty. */
  public static void agentmain(String args, Instrumentation instrumentation) {
    JPruneAgent.launchedWith(instrumentation);
  }
}
