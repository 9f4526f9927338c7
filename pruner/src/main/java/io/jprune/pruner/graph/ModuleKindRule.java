package io.jprune.pruner.graph;

import io.jprune.pruner.module.ModuleKind;
import io.jprune.tracer.TracedCall;

/** The op rule of a built-in module call: its {@link ModuleKind} labels it. */
final class ModuleKindRule implements OpRule {
  private final ModuleKind kind;

  ModuleKindRule(ModuleKind kind) {
    this.kind = kind;
  }

  ModuleKind kind() {
    return kind;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    kind.label(call, new KindLabels(pass));
  }
}
