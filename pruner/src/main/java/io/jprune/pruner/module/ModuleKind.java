package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TracedCall;
import java.util.Map;
import java.util.Optional;

/**
 * Everything jprune knows about one kind of built-in libtorch module, in one place: which channels
 * its call couples and which parameter slices follow them ({@link #label}), which options a removal
 * changes ({@link #options}) and what one call costs ({@link #macs}).
 *
 * <p>The built-in kinds are in {@link ModuleCatalog#builtins()}. A module type jprune does not know
 * (its call is refused, naming the type) can be described by the user and registered with {@code
 * Pruner.builder(model).moduleKind(kind)} or {@link ModuleCatalog#with}; nothing is registered
 * globally.
 */
public interface ModuleKind {
  /** libtorch simple type names this kind describes, e.g. {@code Conv2dImpl}. */
  ImmutableSet<String> types();

  /**
   * The op whose channel rule this module shares (ReLUImpl: {@code relu}), or empty when {@link
   * #label} says it.
   */
  default Optional<String> channelsLikeOp() {
    return Optional.empty();
  }

  /**
   * Labels the call's outputs and binds the module's parameter slices to the channels they belong
   * to (called in call order, once per traced call).
   */
  default void label(TracedCall call, ModuleLabels labels) {
    throw new IllegalStateException(
        getClass().getSimpleName() + " has neither a label rule " + "nor an op it behaves like");
  }

  /**
   * Option values after a removal, by option name (only those that follow channel counts). Values
   * equal to the current ones are no change. A name {@code child.option} sets an option of a
   * submodule that is never called on its own (MultiheadAttention's {@code out_proj}).
   */
  default Map<String, long[]> options(ModuleChange change) {
    return Map.of();
  }

  /**
   * Whether a call of this module still runs after a removal: the channels of its pruned input and
   * output match its pruned weight. Asked for every traced call of a module that has a {@code
   * weight}; false refuses the removal, naming the call and the three shapes. Kinds whose weight
   * channel counts need not match say true.
   */
  default boolean shapesAgree(CallShapes shapes) {
    return true;
  }

  /** Multiply-accumulates of one call, with the shapes a removal leaves. */
  default long macs(TracedCall call, CallCost cost) {
    return 0;
  }

  /**
   * Whether the parameters of its submodules belong on its cost row (MultiheadAttention's {@code
   * out_proj} is called natively, never on its own).
   */
  default boolean ownsSubmoduleParameters() {
    return false;
  }

  /** Whether jprune keeps this module as it is (listed by {@code DependencyGraph.describe()}). */
  default boolean keptWhole() {
    return false;
  }
}
