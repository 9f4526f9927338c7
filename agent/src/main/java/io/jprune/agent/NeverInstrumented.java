package io.jprune.agent;

import com.google.common.collect.ImmutableList;

/**
 * Packages whose classes are never rewritten, whatever the configuration says: the JDK, the
 * bindings themselves, ByteBuddy, and jprune's own runtime and command line. Rewriting the runtime
 * would make the tracer trace itself; rewriting the bindings would turn every internal call into a
 * site. {@code io.jprune.zoo}, {@code io.jprune.it} and users' packages are not listed: they are
 * model code when they match.
 */
final class NeverInstrumented {
  private static final ImmutableList<String> PREFIXES =
      ImmutableList.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "com.sun.",
          "org.bytedeco.",
          // Built at run time: the agent jar's shading would otherwise relocate this literal too.
          String.join(".", "net", "bytebuddy", ""),
          "io.jprune.agent.",
          "io.jprune.tracer.",
          "io.jprune.pruner.",
          "io.jprune.nativeconfig.",
          "io.jprune.cli.");

  private NeverInstrumented() {}

  /** Whether the class with this binary name is in a never-instrumented package. */
  static boolean covers(String binaryName) {
    for (String prefix : PREFIXES) {
      if (binaryName.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** The excluded prefixes, for error messages. */
  static String describe() {
    return "the JDK, bytedeco, ByteBuddy and jprune's runtime are excluded ("
        + String.join("*, ", PREFIXES)
        + "*)";
  }
}
