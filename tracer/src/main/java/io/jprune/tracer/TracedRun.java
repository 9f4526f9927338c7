package io.jprune.tracer;

/** The code whose calls are traced: usually {@code () -> model.forward(input)}. */
@FunctionalInterface
public interface TracedRun {
  Object run() throws Throwable;
}
