package io.jprune.tracer.site;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A rewritten call site in a model class and the method it calls.
 *
 * @param id JVM-local id, the constant passed to the bootstrap method
 * @param key stable identity (class, method, ordinal)
 * @param sourceFile source file name from the class file, or null when compiled without it
 * @param line source line, or -1 when the class has no line numbers
 * @param kind what the site calls
 * @param targetOwner binary name of the called method's owner as written at the call site
 * @param targetName called method name
 * @param targetDescriptor called method descriptor
 */
public record CallSiteInfo(
    int id,
    SiteKey key,
    String sourceFile,
    int line,
    SiteKind kind,
    String targetOwner,
    String targetName,
    String targetDescriptor) {

  public CallSiteInfo {
    checkNotNull(key, "key");
    checkNotNull(kind, "kind");
    checkNotNull(targetOwner, "targetOwner");
    checkNotNull(targetName, "targetName");
    checkNotNull(targetDescriptor, "targetDescriptor");
  }

  /**
   * Where the call is, in stack-trace form: {@code com.acme.Attention.forward(Attention.java:42)}.
   */
  public String location() {
    String file = sourceFile == null ? "Unknown Source" : sourceFile;
    return key.className()
        + "."
        + key.methodName()
        + "("
        + file
        + (line >= 0 ? ":" + line : "")
        + ")";
  }

  /** The called op, e.g. {@code Tensor.reshape} or {@code torch.pixel_shuffle}. */
  public String op() {
    return simpleName(targetOwner) + "." + targetName;
  }

  /** {@code Tensor.reshape at com.acme.Attention.forward(Attention.java:42) #3}. */
  @Override
  public String toString() {
    return op() + " at " + location() + " #" + key.ordinal();
  }

  private static String simpleName(String binaryName) {
    return binaryName.substring(binaryName.lastIndexOf('.') + 1);
  }
}
