package io.jprune.agent;

import java.io.File;
import java.net.URISyntaxException;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar jprune-agent.jar PID 'prune=0.5;...'}: loads this jar as an agent into the
 * running JVM {@code PID} with the same arguments as {@code -javaagent} (see {@link AgentConfig});
 * with {@code prune=}, that JVM's model is pruned at its next root forward. The arguments are
 * checked here first, so a typo fails in this process, not in the application.
 */
public final class AttachMain {
  private AttachMain() {}

  /**
   * Attaches to {@code args[0]} (a pid) with the agent arguments {@code args[1]}; exits with 2 on
   * bad usage or arguments.
   */
  public static void main(String[] args) {
    if (args.length != 2 || !args[0].matches("\\d+")) {
      System.err.println(
          "usage: java -jar jprune-agent.jar PID 'prune=0.5;packages=com.acme;...'"
              + "\n  "
              + String.join(", ", AgentConfig.KEYS));
      System.exit(2);
    }
    AgentConfig config;
    try {
      config = AgentConfig.parse(args[1]);
    } catch (IllegalArgumentException e) {
      System.err.println("jprune: " + e.getMessage());
      System.exit(2);
      return;
    }
    File jar = ownJar();
    try {
      ByteBuddyAgent.attach(jar, args[0], config.toArgs());
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("jprune: could not attach to " + args[0] + ": " + cause);
      System.exit(1);
    }
    System.out.println(
        "jprune: attached to "
            + args[0]
            + " with "
            + config.toArgs()
            + (config.prune().isPresent()
                ? "; it prunes at its root forward "
                    + config.prune().get().at().replace("forward:", "#")
                    + " from now"
                : ""));
  }

  private static File ownJar() {
    try {
      return new File(AttachMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the jprune agent jar", e);
    }
  }
}
