package io.jprune.pruner.graph.rule;

import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.List;

/**
 * The channel semantics of one family of ops: how labels flow from inputs to outputs (what the op
 * couples), which output elements a removal takes away, and which call-site arguments must change
 * so the pruned op computes the kept part of the original. Adding an op means adding it to one rule
 * and to {@link OpCatalog}.
 */
public interface OpRule {
  /** Writes the labels of the call's tensor outputs; joins or fixes atoms the op couples. */
  void propagate(TracedCall call, LabelPass pass);

  /**
   * Removed elements of output {@code output} among those labelled {@link AtomTable#DERIVED}
   * (elements with an atom follow their atom). Only called when the output has derived elements.
   */
  default BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    throw new IllegalStateException(
        getClass().getSimpleName()
            + " produced derived labels for "
            + call
            + " but has no mask rule for them");
  }

  /** Argument changes at the call site for this removal (empty when none are needed). */
  default List<ArgPatch> patches(TracedCall call, MaskPass pass) {
    return List.of();
  }
}
