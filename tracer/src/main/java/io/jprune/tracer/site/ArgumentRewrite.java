package io.jprune.tracer.site;

/**
 * Replaces arguments at one call site on every call of one model, tracing or not (installed in that
 * model's {@link ModelRewrites}). This is how a pruned model keeps running without code edits:
 * {@code reshape(B, N, 3, 6, 64)} becomes {@code reshape(B, N, 3, 6, 48)} at exactly the site that
 * needs it.
 */
@FunctionalInterface
public interface ArgumentRewrite {
  /**
   * @param args receiver first for instance methods; must not be modified in place
   * @return the arguments to call with (same length and types)
   */
  Object[] apply(Object[] args);
}
