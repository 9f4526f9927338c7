package io.jprune.pruner;

import org.bytedeco.pytorch.Module;

/** Makes sure the agent instruments the model's classes before tracing. */
final class Attach {
  private Attach() {}

  static void modelPackages(Module model) {
    // Filled in once the agent's self-attach API lands.
  }
}
