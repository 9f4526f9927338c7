package io.jprune.agent;

import io.jprune.tracer.site.SiteKind;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

/**
 * Replaces each traced {@code invokevirtual}/{@code invokestatic} by an {@code invokedynamic} with
 * exactly the original stack shape (the receiver becomes the first parameter), bootstrapped by
 * {@code Sites.bootstrap} with the original method handle and the site id; and each {@code
 * LambdaMetafactory} method reference to a traced method ({@code Tensor::relu}, {@code
 * torch::relu}, {@code layer::forward}) by the same indy bootstrapped by {@code Sites.metafactory}.
 * {@code invokespecial} ({@code super.forward(x)}) stays as written.
 */
final class SiteRewritingMethodVisitor extends MethodVisitor {
  private final MethodSites sites;
  private final TracedTargets targets;
  private final TypePool pool;
  private final Runnable onRewrite;

  /** The module class whose forward this is, for the entry hook; null: no hook. */
  private final Type entryOwner;

  private int entryStack;
  private int line = -1;

  SiteRewritingMethodVisitor(
      MethodVisitor next,
      MethodSites sites,
      TracedTargets targets,
      TypePool pool,
      Type entryOwner,
      Runnable onRewrite) {
    super(Opcodes.ASM9, next);
    this.sites = sites;
    this.targets = targets;
    this.pool = pool;
    this.entryOwner = entryOwner;
    this.onRewrite = onRewrite;
  }

  /**
   * The entry hook of a module's forward: {@code this} and every argument, passed as they are to an
   * invokedynamic of type {@code (Module, args...)void} that is empty while nothing records. It
   * runs on an empty stack before the first instruction, so no frame changes.
   */
  @Override
  public void visitCode() {
    super.visitCode();
    if (entryOwner == null) {
      return;
    }
    String descriptor = sites.methodDescriptor();
    super.visitVarInsn(Opcodes.ALOAD, 0);
    int slot = 1;
    for (Type arg : Type.getArgumentTypes(descriptor)) {
      super.visitVarInsn(arg.getOpcode(Opcodes.ILOAD), slot);
      slot += arg.getSize();
    }
    entryStack = slot;
    String hookType =
        "("
            + entryOwner.getDescriptor()
            + descriptor.substring(1, descriptor.indexOf(')') + 1)
            + "V";
    super.visitInvokeDynamicInsn("forwardEntry", hookType, SiteBootstraps.FORWARD_ENTRY);
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    super.visitMaxs(Math.max(maxStack, entryStack), maxLocals);
  }

  @Override
  public void visitLineNumber(int lineNumber, Label start) {
    line = lineNumber;
    super.visitLineNumber(lineNumber, start);
  }

  @Override
  public void visitMethodInsn(
      int opcode, String owner, String name, String descriptor, boolean isInterface) {
    SiteKind kind = isInterface ? null : classify(opcode, owner, name, descriptor);
    if (kind == null) {
      super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
      return;
    }
    int id = sites.register(line, kind, owner, name, descriptor);
    boolean isStatic = opcode == Opcodes.INVOKESTATIC;
    String indyType = isStatic ? descriptor : "(L" + owner + ";" + descriptor.substring(1);
    Handle original =
        new Handle(
            isStatic ? Opcodes.H_INVOKESTATIC : Opcodes.H_INVOKEVIRTUAL,
            owner,
            name,
            descriptor,
            false);
    super.visitInvokeDynamicInsn(name, indyType, SiteBootstraps.SITE, original, id);
    onRewrite.run();
  }

  @Override
  public void visitInvokeDynamicInsn(
      String name, String descriptor, Handle bootstrap, Object... bootstrapArgs) {
    SiteKind kind = null;
    Handle impl = null;
    if (SiteBootstraps.isLambdaMetafactory(bootstrap)
        && bootstrapArgs.length == 3
        && bootstrapArgs[1] instanceof Handle h
        && !h.isInterface()) {
      impl = h;
      if (h.getTag() == Opcodes.H_INVOKEVIRTUAL) {
        kind = classify(Opcodes.INVOKEVIRTUAL, h.getOwner(), h.getName(), h.getDesc());
      } else if (h.getTag() == Opcodes.H_INVOKESTATIC) {
        kind = classify(Opcodes.INVOKESTATIC, h.getOwner(), h.getName(), h.getDesc());
      }
    }
    if (kind == null) {
      super.visitInvokeDynamicInsn(name, descriptor, bootstrap, bootstrapArgs);
      return;
    }
    int id = sites.register(line, kind, impl.getOwner(), impl.getName(), impl.getDesc());
    super.visitInvokeDynamicInsn(
        name,
        descriptor,
        SiteBootstraps.METAFACTORY,
        bootstrapArgs[0],
        bootstrapArgs[1],
        bootstrapArgs[2],
        id);
    onRewrite.run();
  }

  private SiteKind classify(int opcode, String owner, String name, String descriptor) {
    try {
      return targets.classify(opcode, owner, name, descriptor, pool);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot rewrite the call of "
              + owner.replace('/', '.')
              + "."
              + name
              + " in "
              + sites.describe()
              + (line >= 0 ? " at line " + line : "")
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
