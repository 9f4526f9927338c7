package io.jprune.pruner;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Module;

/**
 * Makes sure the agent instruments the model's package before tracing: self-attaches on first
 * use (a JVM started with -javaagent already has it) and adds the package of the model's class,
 * retransforming classes already loaded.
 */
final class Attach {
  private static final Set<String> DONE = ConcurrentHashMap.newKeySet();

  private Attach() {}

  static void modelPackages(Module model) {
    Class<?> type = model.getClass();
    if (!DONE.contains(type.getName())) {
      // Module subclasses are model code in any package; a named package adds its helpers
      JPruneAgent.selfAttach(type.getPackageName().isEmpty() ? AgentConfig.defaults()
          : AgentConfig.builder().addPackageOf(type).build());
      DONE.add(type.getName());
    }
  }
}
