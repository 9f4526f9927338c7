package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.tracer.TracedCall;

/** The op rule of a built-in module call: its {@link ModuleKind} labels it. */
public final class ModuleKindRule implements OpRule {
  private final ModuleKind kind;

  ModuleKindRule(ModuleKind kind) {
    this.kind = kind;
  }

  /** The module kind this rule runs. */
  public ModuleKind kind() {
    return kind;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    kind.label(call, new KindLabels(pass));
  }
}
