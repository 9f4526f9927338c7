package io.jprune.tracer.site;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Stable identity of a call site: the instrumented method and the ordinal of the rewritten
 * invocation inside it. Unlike the int id it survives retransformation and JVM restarts, so pruning
 * records (call-site rewrites) are keyed by it.
 *
 * @param className binary name of the class holding the call, e.g. {@code com.acme.Attention}
 * @param methodName name of the method holding the call
 * @param methodDescriptor JVM descriptor of that method
 * @param ordinal 0-based index of this call among the rewritten calls of that method
 */
public record SiteKey(String className, String methodName, String methodDescriptor, int ordinal) {
  public SiteKey {
    checkNotNull(className, "className");
    checkNotNull(methodName, "methodName");
    checkNotNull(methodDescriptor, "methodDescriptor");
    checkArgument(ordinal >= 0, "ordinal must be >= 0, got %s", ordinal);
  }

  /** {@code com.acme.Attention.forward(Lorg/bytedeco/pytorch/Tensor;)...#3}. */
  public String format() {
    return className + "." + methodName + methodDescriptor + "#" + ordinal;
  }

  /** Inverse of {@link #format()}. */
  public static SiteKey parse(String text) {
    int hash = text.lastIndexOf('#');
    int paren = text.indexOf('(');
    checkArgument(hash > 0 && paren > 0 && paren < hash, "not a call-site key: '%s'", text);
    String owner = text.substring(0, paren);
    int dot = owner.lastIndexOf('.');
    checkArgument(dot > 0, "not a call-site key: '%s'", text);
    return new SiteKey(
        owner.substring(0, dot),
        owner.substring(dot + 1),
        text.substring(paren, hash),
        Integer.parseInt(text.substring(hash + 1)));
  }
}
