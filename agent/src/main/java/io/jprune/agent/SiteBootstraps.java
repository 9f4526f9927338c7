package io.jprune.agent;

import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The bootstrap methods rewritten call sites link through ({@code io.jprune.tracer.site.Sites}), as
 * ASM handles. Referenced by name so that instrumenting does not need the runtime's class in the
 * instrumented class's loader at transformation time, only when the site first runs.
 */
final class SiteBootstraps {
  private static final String SITES = "io/jprune/tracer/site/Sites";
  private static final String LOOKUP = "Ljava/lang/invoke/MethodHandles$Lookup;";
  private static final String TYPE = "Ljava/lang/invoke/MethodType;";
  private static final String HANDLE = "Ljava/lang/invoke/MethodHandle;";
  private static final String CALL_SITE = "Ljava/lang/invoke/CallSite;";

  /** {@code Sites.bootstrap(Lookup, String, MethodType, MethodHandle original, int id)}. */
  static final Handle SITE =
      new Handle(
          Opcodes.H_INVOKESTATIC,
          SITES,
          "bootstrap",
          "(" + LOOKUP + "Ljava/lang/String;" + TYPE + HANDLE + "I)" + CALL_SITE,
          false);

  /**
   * {@code Sites.metafactory(Lookup, String, MethodType factoryType, MethodType samType,
   * MethodHandle implementation, MethodType instantiatedType, int id)}: LambdaMetafactory plus the
   * site id, for method references to traced methods.
   */
  static final Handle METAFACTORY =
      new Handle(
          Opcodes.H_INVOKESTATIC,
          SITES,
          "metafactory",
          "(" + LOOKUP + "Ljava/lang/String;" + TYPE + TYPE + HANDLE + TYPE + "I)" + CALL_SITE,
          false);

  /** {@code Sites.forwardEntry(Lookup, String, MethodType)}: the hook at the start of forward. */
  static final Handle FORWARD_ENTRY =
      new Handle(
          Opcodes.H_INVOKESTATIC,
          SITES,
          "forwardEntry",
          "(" + LOOKUP + "Ljava/lang/String;" + TYPE + ")" + CALL_SITE,
          false);

  private SiteBootstraps() {}

  /** Whether {@code bsm} is {@code LambdaMetafactory.metafactory} (not altMetafactory). */
  static boolean isLambdaMetafactory(Handle bsm) {
    return bsm.getTag() == Opcodes.H_INVOKESTATIC
        && bsm.getOwner().equals("java/lang/invoke/LambdaMetafactory")
        && bsm.getName().equals("metafactory");
  }
}
