/**
 * Built-in libtorch module kinds and the interface users implement for their own: each {@link
 * io.jprune.pruner.module.ModuleKind} says, in one file, which channels its call couples and which
 * parameter slices follow them (through {@link io.jprune.pruner.module.ModuleLabels}), whether a
 * pruned call's shapes still agree with its weight ({@link io.jprune.pruner.module.CallShapes}),
 * which options a removal changes ({@link io.jprune.pruner.module.ModuleChange}) and what one call
 * costs ({@link io.jprune.pruner.module.CallCost}). {@link io.jprune.pruner.module.ModuleCatalog}
 * holds the kinds one pruner knows.
 *
 * <p>Adding a module kind: one {@code ModuleKind} class, registered in {@code
 * ModuleCatalog.builtins()} (or by the user with {@code ModuleCatalog.with}), and its test.
 */
package io.jprune.pruner.module;
