package io.jprune.agent;

import static com.google.common.base.Preconditions.checkNotNull;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.pool.TypePool;

/**
 * Plugs {@link SiteRewritingClassVisitor} into ByteBuddy's decoration of a model class. A plain ASM
 * visitor keeps the rewrite exact: each traced invoke becomes one invokedynamic with the same stack
 * shape, so frames and max stack are unchanged and nothing else in the class moves.
 */
final class SiteRewriter implements AsmVisitorWrapper {
  private final TracedTargets targets;
  private final ClassLoader loader;
  private final InstrumentationLog log;

  /**
   * @param loader the class loader defining the rewritten class (not null)
   */
  SiteRewriter(TracedTargets targets, ClassLoader loader, InstrumentationLog log) {
    this.targets = checkNotNull(targets, "targets");
    this.loader = checkNotNull(loader, "loader");
    this.log = checkNotNull(log, "log");
  }

  @Override
  public int mergeWriter(int flags) {
    return flags;
  }

  @Override
  public int mergeReader(int flags) {
    return flags;
  }

  @Override
  public ClassVisitor wrap(
      TypeDescription instrumentedType,
      ClassVisitor classVisitor,
      Implementation.Context implementationContext,
      TypePool typePool,
      FieldList<FieldDescription.InDefinedShape> fields,
      MethodList<?> methods,
      int writerFlags,
      int readerFlags) {
    return new SiteRewritingClassVisitor(classVisitor, targets, typePool, loader, log);
  }
}
