package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.testmodels.refused.Refused;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Classes the agent cannot instrument are named, with the reason, never skipped silently. */
class AttachFailureTest {
  private static final String BROKEN = "io.jprune.testmodels.broken.Broken";

  @BeforeAll
  static void attach() {
    // A package restriction, so that the packages the tests add are newly covered at their
    // attach (without one, every class that calls libtorch is instrumented when it loads).
    JPruneAgent.selfAttach(AgentConfig.builder().addPackage("io.jprune.testmodels.plain").build());
  }

  @Test
  void aClassTheJvmRefusesToRetransformIsNamed() throws Exception {
    Class.forName(Refused.class.getName()); // loaded before its package becomes model code
    Instrumentation instrumentation = ByteBuddyAgent.getInstrumentation();
    ClassFileTransformer addsAField = new AddsAField("io/jprune/testmodels/refused/Refused");
    instrumentation.addTransformer(addsAField, true);
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  JPruneAgent.selfAttach(
                      AgentConfig.builder().addPackage("io.jprune.testmodels.refused").build()));
      assertTrue(
          e.getMessage()
              .startsWith(
                  "jprune agent could not instrument 1 loaded model"
                      + " class:\n  the JVM refused to retransform io.jprune.testmodels.refused.Refused:"
                      + " UnsupportedOperationException: "),
          e.getMessage());
    } finally {
      instrumentation.removeTransformer(addsAField);
    }
  }

  @Test
  void aRewriteFailureNamesTheClassAndMethod() throws Exception {
    BrokenClassLoader loader = new BrokenClassLoader();
    loader.loadClass(BROKEN); // loaded before its package becomes model code
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                JPruneAgent.selfAttach(
                    AgentConfig.builder().addPackage("io.jprune.testmodels.broken").build()));
    assertEquals(
        "jprune agent could not instrument 1 loaded model class:\n"
            + "  could not rewrite "
            + BROKEN
            + ": IllegalStateException: cannot rewrite the call of"
            + " io.jprune.testmodels.broken.Missing.forward in "
            + BROKEN
            + ".run()V at line 42:"
            + " cannot resolve io.jprune.testmodels.broken.Missing, the owner of a forward call, to"
            + " tell whether it is a Module",
        e.getMessage());

    // Loaded after the attach: the class loader cannot be failed, so the failure is kept.
    loader.loadClass(BROKEN + "2");
    assertTrue(
        JPruneAgent.failures().stream()
            .anyMatch(
                f ->
                    f.startsWith(
                        BROKEN
                            + "2: IllegalStateException: cannot rewrite the call"
                            + " of io.jprune.testmodels.broken.Missing.forward in "
                            + BROKEN
                            + "2.run()V")),
        JPruneAgent.failures().toString());
  }

  /** Adds a field on retransformation, which the JVM refuses (schema change). */
  private static final class AddsAField implements ClassFileTransformer {
    private final String internalName;

    AddsAField(String internalName) {
      this.internalName = internalName;
    }

    @Override
    public byte[] transform(
        ClassLoader loader,
        String className,
        Class<?> redefined,
        ProtectionDomain domain,
        byte[] bytes) {
      if (!internalName.equals(className)) {
        return null;
      }
      ClassReader reader = new ClassReader(bytes);
      ClassWriter writer = new ClassWriter(reader, 0);
      reader.accept(
          new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visitEnd() {
              super.visitField(Opcodes.ACC_PRIVATE, "refusedByTheJvm", "I", null, null).visitEnd();
              super.visitEnd();
            }
          },
          0);
      return writer.toByteArray();
    }
  }

  /**
   * Defines classes calling {@code forward} on a type that exists nowhere: they load and verify
   * (the receiver is null), but the agent cannot tell whether the owner is a Module.
   */
  private static final class BrokenClassLoader extends ClassLoader {
    BrokenClassLoader() {
      super(AttachFailureTest.class.getClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (!name.startsWith(BROKEN)) {
        throw new ClassNotFoundException(name);
      }
      byte[] bytes = brokenClass(name.replace('.', '/'));
      return defineClass(name, bytes, 0, bytes.length);
    }

    private static byte[] brokenClass(String internalName) {
      ClassWriter w = new ClassWriter(0);
      w.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, internalName, null, "java/lang/Object", null);
      w.visitSource("Broken.java", null);
      MethodVisitor m =
          w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "()V", null, null);
      m.visitCode();
      Label start = new Label();
      m.visitLabel(start);
      m.visitLineNumber(42, start);
      m.visitInsn(Opcodes.ACONST_NULL);
      m.visitInsn(Opcodes.ACONST_NULL);
      m.visitMethodInsn(
          Opcodes.INVOKEVIRTUAL,
          "io/jprune/testmodels/broken/Missing",
          "forward",
          "(Lorg/bytedeco/pytorch/Tensor;)Lorg/bytedeco/pytorch/Tensor;",
          false);
      m.visitInsn(Opcodes.POP);
      m.visitInsn(Opcodes.RETURN);
      m.visitMaxs(2, 0);
      m.visitEnd();
      w.visitEnd();
      return w.toByteArray();
    }
  }
}
