package io.jprune.tracer;

import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Links call sites by hand, exactly as the agent's invokedynamic would, so the tracer can be tested
 * without instrumentation. Each site gets its own ordinal under a fake method.
 */
final class ManualSites {
  private static int ordinal;

  private ManualSites() {}

  /** A site calling {@code owner.name(type)} virtually: receiver is the first parameter. */
  static MethodHandle virtual(Class<?> owner, String name, MethodType type, SiteKind kind, int line)
      throws Exception {
    MethodHandle original = MethodHandles.publicLookup().findVirtual(owner, name, type);
    return link(original, owner, name, type, kind, line);
  }

  /** A site calling the static {@code owner.name(type)}. */
  static MethodHandle statik(Class<?> owner, String name, MethodType type, int line)
      throws Exception {
    MethodHandle original = MethodHandles.publicLookup().findStatic(owner, name, type);
    return link(original, owner, name, type, SiteKind.TORCH_STATIC, line);
  }

  private static MethodHandle link(
      MethodHandle original,
      Class<?> owner,
      String name,
      MethodType type,
      SiteKind kind,
      int line) {
    int id =
        Sites.register(
            new SiteKey("test.Model", "forward", "()V", ordinal++),
            "Model.java",
            line,
            kind,
            owner.getName(),
            name,
            type.toMethodDescriptorString());
    MethodHandle fixed = original.asFixedArity();
    return Sites.bootstrap(MethodHandles.lookup(), name, fixed.type(), fixed, id).dynamicInvoker();
  }
}
