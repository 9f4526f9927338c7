/**
 * The state the op rules write and read, kept apart from the rules themselves: the label pass
 * ({@link io.jprune.pruner.graph.label.LabelPass}: which atom every traced element belongs to, with
 * the union-find {@link io.jprune.pruner.graph.label.AtomTable}, the parameter slices and block
 * constraints bound to atoms), the mask pass of one removal ({@link
 * io.jprune.pruner.graph.label.MaskPass}), the grouping of atoms into pruning groups ({@link
 * io.jprune.pruner.graph.label.GroupBuilder}), and the index arithmetic both use ({@link
 * io.jprune.pruner.graph.label.Shape}, {@link io.jprune.pruner.graph.label.DenseLayout}, {@link
 * io.jprune.pruner.graph.label.LabelReplay}).
 *
 * <p>This package never depends on {@code graph.rule}: a pass asks a rule for derived masks through
 * the {@link io.jprune.pruner.graph.label.MaskPass.DerivedMask} callback.
 */
package io.jprune.pruner.graph.label;
