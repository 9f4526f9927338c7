package io.jprune.agent;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;

/**
 * Hands out the site ids of one instrumented method, in instruction order: the n-th rewritten
 * invocation gets ordinal n, which with the method's identity is the site's stable {@link SiteKey}
 * (the same after retransformation and in the next JVM).
 */
final class MethodSites {
  private final String className;
  private final String methodName;
  private final String methodDescriptor;
  private final String sourceFile;
  private int ordinal;

  MethodSites(String className, String methodName, String methodDescriptor, String sourceFile) {
    this.className = checkNotNull(className, "className");
    this.methodName = checkNotNull(methodName, "methodName");
    this.methodDescriptor = checkNotNull(methodDescriptor, "methodDescriptor");
    this.sourceFile = sourceFile;
  }

  /** Registers the next site of this method and returns its id. */
  int register(
      int line, SiteKind kind, String targetOwner, String targetName, String targetDescriptor) {
    SiteKey key = new SiteKey(className, methodName, methodDescriptor, ordinal++);
    return Sites.register(
        key, sourceFile, line, kind, targetOwner.replace('/', '.'), targetName, targetDescriptor);
  }

  /** The JVM descriptor of the method. */
  String methodDescriptor() {
    return methodDescriptor;
  }

  /** {@code com.acme.Net.forward(Lorg/bytedeco/pytorch/Tensor;)Lorg/bytedeco/pytorch/Tensor;}. */
  String describe() {
    return className + "." + methodName + methodDescriptor;
  }
}
