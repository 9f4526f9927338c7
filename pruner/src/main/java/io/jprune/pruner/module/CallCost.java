package io.jprune.pruner.module;

import io.jprune.tracer.TensorRef;

/** Sizes a {@link ModuleKind} counts MACs from: traced, or what a removal would leave. */
public interface CallCost {
  /** Elements of a traced tensor (left after the removal). */
  long kept(TensorRef t);

  /** Size of one dim of a traced tensor (left after the removal). */
  long size(TensorRef t, int dim);

  /** Shape of a registered parameter (after the removal). */
  long[] paramShape(String name);

  boolean hasParameter(String name);
}
