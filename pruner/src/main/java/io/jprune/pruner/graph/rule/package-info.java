/**
 * The channel semantics of every op jprune follows, one rule class per op family, looked up in
 * {@link io.jprune.pruner.graph.rule.OpCatalog}: how labels flow from inputs to outputs, which
 * derived output elements a removal takes away, and which call-site arguments change (sizes and
 * positions of layout ops, kept by {@link io.jprune.pruner.graph.rule.LayoutArgs}).
 *
 * <p>Built-in modules are described by their {@link io.jprune.pruner.module.ModuleKind}, which
 * {@link io.jprune.pruner.graph.rule.ModuleKindRule} adapts through {@link
 * io.jprune.pruner.graph.rule.KindLabels}. {@link io.jprune.pruner.graph.rule.ShapeCheck} proves,
 * before any cut, that every traced call runs on the pruned shapes.
 *
 * <p>Adding an op: add it to one rule (or a new rule class) and to {@code OpCatalog}.
 */
package io.jprune.pruner.graph.rule;
