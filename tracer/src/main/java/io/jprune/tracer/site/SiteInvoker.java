package io.jprune.tracer.site;

/** Calls the original target of a site with (possibly replaced) arguments, receiver first. */
@FunctionalInterface
public interface SiteInvoker {
  Object invoke(Object[] args) throws Throwable;
}
