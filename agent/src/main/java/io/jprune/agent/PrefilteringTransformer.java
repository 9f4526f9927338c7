package io.jprune.agent;

import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;

/**
 * Shows ByteBuddy's transformer only the classes that can call libtorch ({@link
 * LibtorchReferences}), so that instrumenting a whole application costs one pass over the constant
 * pool of each unrelated class instead of a type description and a matcher run. Classes of the
 * never-instrumented packages and of the bootstrap loader are passed over by name. Installed as
 * ByteBuddy's transformer decorator, so ByteBuddy still installs (and could reset) it.
 */
final class PrefilteringTransformer extends ResettableClassFileTransformer.WithDelegation {
  PrefilteringTransformer(ResettableClassFileTransformer delegate) {
    super(delegate);
  }

  /** Whether a class of this internal name and loader, with these bytes, goes to ByteBuddy. */
  static boolean candidate(ClassLoader loader, String internalName, byte[] classFile) {
    return loader != null
        && internalName != null
        && !NeverInstrumented.covers(internalName.replace('/', '.'))
        && LibtorchReferences.mayCall(classFile);
  }

  @Override
  public byte[] transform(
      Module module,
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer)
      throws IllegalClassFormatException {
    return candidate(loader, className, classfileBuffer)
        ? classFileTransformer.transform(
            module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer)
        : null;
  }

  @Override
  public byte[] transform(
      ClassLoader loader,
      String className,
      Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain,
      byte[] classfileBuffer)
      throws IllegalClassFormatException {
    return candidate(loader, className, classfileBuffer)
        ? classFileTransformer.transform(
            loader, className, classBeingRedefined, protectionDomain, classfileBuffer)
        : null;
  }
}
