package io.jprune.tracer.site;

/**
 * Sees every call through a rewritten site while installed with {@link Sites#intercept}. It must
 * call {@code proceed} exactly once (or throw) so the model computes what it always did.
 */
@FunctionalInterface
public interface SiteInterceptor {
  /**
   * @param site the call site
   * @param args receiver first for instance methods, then the call's arguments (after rewrites)
   * @param proceed the original target
   * @return the value the call site receives (null for void targets)
   */
  Object intercept(CallSiteInfo site, Object[] args, SiteInvoker proceed) throws Throwable;

  /**
   * Called when a {@code forward} method of a Java Module subclass starts running, however it was
   * called (through a traced site, by reflection, from code that is not instrumented), before its
   * first statement. It must not throw; the default does nothing.
   *
   * @param receiverAndArgs the module ({@code this}) first, then the method's arguments
   */
  default void enterForward(Object[] receiverAndArgs) {}
}
