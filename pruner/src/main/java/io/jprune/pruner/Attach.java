package io.jprune.pruner;

import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.Module;

/**
 * Makes sure the agent instruments the model before tracing: self-attaches on first use for the
 * whole application (a JVM started with -javaagent already has the agent, with or without a package
 * restriction; a Module subclass is covered either way, in the unnamed package too), and sweeps
 * once per model class for loaded classes that missed the transformer.
 */
final class Attach {
  private static final Set<String> DONE = ConcurrentHashMap.newKeySet();

  private Attach() {}

  static void model(Module model) {
    Class<?> type = model.getClass();
    if (!DONE.contains(type.getName())) {
      JPruneAgent.selfAttach(AgentConfig.defaults());
      DONE.add(type.getName());
    }
  }
}
