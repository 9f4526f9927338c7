package io.jprune.agent;

import com.google.common.collect.ImmutableSet;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Inserts the calls of {@code io.jprune.tracer.site.AppHooks} into application code: after each
 * {@code new SGD(...)} (and the bindings' other optimizers) completes, the new optimizer is handed
 * to {@code optimizerCreated}; before each {@code module.load(InputArchive)} on a Module subtype,
 * the module and the archive are handed to {@code beforeModuleLoad}. The original instructions
 * stay; only {@code dup}s and one static call are added, so two more stack slots at most.
 */
final class AppHookMethodVisitor extends MethodVisitor {
  private static final String HOOKS = "io/jprune/tracer/site/AppHooks";
  private static final String PYTORCH = "org/bytedeco/pytorch/";

  /** The bindings' optimizers, whose per-parameter state holds parameter shapes. */
  static final ImmutableSet<String> OPTIMIZERS =
      ImmutableSet.of(
          PYTORCH + "SGD",
          PYTORCH + "Adam",
          PYTORCH + "AdamW",
          PYTORCH + "RMSprop",
          PYTORCH + "Adagrad",
          PYTORCH + "LBFGS");

  private static final String LOAD_DESCRIPTOR = "(L" + PYTORCH + "InputArchive;)V";

  private final TracedTargets targets;
  private final TypePool pool;

  /** Optimizer {@code new}s whose constructor call is still to come (nested news count). */
  private int pendingNews;

  private boolean inserted;

  AppHookMethodVisitor(MethodVisitor next, TracedTargets targets, TypePool pool) {
    super(Opcodes.ASM9, next);
    this.targets = targets;
    this.pool = pool;
  }

  @Override
  public void visitTypeInsn(int opcode, String type) {
    if (opcode == Opcodes.NEW && OPTIMIZERS.contains(type)) {
      pendingNews++;
    }
    super.visitTypeInsn(opcode, type);
  }

  @Override
  public void visitMethodInsn(
      int opcode, String owner, String name, String descriptor, boolean isInterface) {
    boolean load =
        opcode == Opcodes.INVOKEVIRTUAL
            && name.equals("load")
            && descriptor.equals(LOAD_DESCRIPTOR)
            && !OPTIMIZERS.contains(owner)
            && targets.isModule(owner, pool);
    if (load) {
      // stack: module, archive -> module, archive, module, archive
      super.visitInsn(Opcodes.DUP2);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          HOOKS,
          "beforeModuleLoad",
          "(Ljava/lang/Object;Ljava/lang/Object;)V",
          false);
      inserted = true;
    }
    super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    if (opcode == Opcodes.INVOKESPECIAL
        && name.equals("<init>")
        && pendingNews > 0
        && OPTIMIZERS.contains(owner)) {
      // `new T; dup; args; invokespecial <init>` leaves the new object on the stack
      pendingNews--;
      super.visitInsn(Opcodes.DUP);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC, HOOKS, "optimizerCreated", "(Ljava/lang/Object;)V", false);
      inserted = true;
    }
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    super.visitMaxs(inserted ? maxStack + 2 : maxStack, maxLocals);
  }
}
