package io.jprune.agent;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

/**
 * Rewrites the traced invocations of every method of one model class. Bridge methods are left
 * alone: they only re-dispatch to the real method, whose own sites already record the call (a
 * covariant {@code forward} bridge would otherwise record every forward twice). Lambda bodies are
 * synthetic but not bridges, so their calls are rewritten. Classes older than Java 7 cannot hold
 * invokedynamic and are left as they are. Every {@code forward} method of a Java Module subclass
 * also starts with an entry hook ({@code Sites.forwardEntry}), so that a trace sees the root's
 * forward and its inputs however it was called.
 */
final class SiteRewritingClassVisitor extends ClassVisitor {
  private final TracedTargets targets;
  private final TypePool pool;
  private final ClassLoader loader;
  private final InstrumentationLog log;
  private String className;
  private String sourceFile;
  private boolean canUseIndy;
  private boolean moduleSubclass;
  private int rewritten;

  SiteRewritingClassVisitor(
      ClassVisitor next,
      TracedTargets targets,
      TypePool pool,
      ClassLoader loader,
      InstrumentationLog log) {
    super(Opcodes.ASM9, next);
    this.targets = targets;
    this.pool = pool;
    this.loader = loader;
    this.log = log;
  }

  @Override
  public void visit(
      int version,
      int access,
      String name,
      String signature,
      String superName,
      String[] interfaces) {
    className = name.replace('/', '.');
    canUseIndy = (version & 0xFFFF) >= Opcodes.V1_7;
    moduleSubclass = (access & Opcodes.ACC_INTERFACE) == 0 && targets.isModuleSubclass(name, pool);
    super.visit(version, access, name, signature, superName, interfaces);
  }

  @Override
  public void visitSource(String source, String debug) {
    sourceFile = source;
    super.visitSource(source, debug);
  }

  @Override
  public MethodVisitor visitMethod(
      int access, String name, String descriptor, String signature, String[] exceptions) {
    MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
    boolean noCode = (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0;
    if (next == null || noCode || !canUseIndy || (access & Opcodes.ACC_BRIDGE) != 0) {
      return next;
    }
    boolean forwardEntry =
        moduleSubclass && name.equals("forward") && (access & Opcodes.ACC_STATIC) == 0;
    return new SiteRewritingMethodVisitor(
        new AppHookMethodVisitor(next, targets, pool),
        new MethodSites(className, name, descriptor, sourceFile),
        targets,
        pool,
        forwardEntry ? Type.getObjectType(className.replace('.', '/')) : null,
        () -> rewritten++);
  }

  @Override
  public void visitEnd() {
    super.visitEnd();
    log.rewritten(loader, className, rewritten);
  }
}
