/**
 * How important each channel of a pruning group is: the {@link
 * io.jprune.pruner.importance.Importance} criteria (magnitude, BN scale, Taylor, Hessian, FPGM,
 * LAMP, random), their reduction over a group's slices and normalisation, the inputs some need
 * ({@link io.jprune.pruner.importance.ImportanceContext}), and the sparsity regularizers that train
 * channels towards removal. Reads groups only, never the graph.
 */
package io.jprune.pruner.importance;
