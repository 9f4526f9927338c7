package io.jprune.pruner.graph.label;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The removal a plan makes, seen on every traced tensor: which elements are gone. Elements with an
 * atom are gone when their atom is; derived elements (attention scores, ...) are gone when the op
 * rule that made them says so. Computed once per plan, in call order.
 */
public final class MaskPass {
  private final LabelPass labels;
  private final BitSet removedRoots;
  private final Map<Integer, BitSet> masks = new HashMap<>();
  private final Map<Integer, long[]> compressed = new HashMap<>();

  /**
   * Which derived output elements (those labelled {@link AtomTable#DERIVED}) a removal takes away:
   * the op rule of the call that made them knows.
   */
  @FunctionalInterface
  public interface DerivedMask {
    /** Removed elements of output {@code output} among its derived ones. */
    BitSet derivedMask(TracedCall call, int output, MaskPass pass);
  }

  /** The masks of removing the atoms {@code removedRoots} (representatives) of a finished pass. */
  public MaskPass(LabelPass labels, BitSet removedRoots) {
    this.labels = labels;
    this.removedRoots = removedRoots;
  }

  /** Labels are atom representatives once the label pass has finished. */
  boolean removedAtom(int label) {
    return label > AtomTable.FIXED && removedRoots.get(label);
  }

  private boolean untouched(TensorRef t) {
    return !labels.atomsIn(t).intersects(removedRoots);
  }

  /** Computes the masks of a call's outputs (inputs must be known). */
  public void compute(TracedCall call, DerivedMask rule) {
    for (int k = 0; k < call.tensorOutputs().size(); k++) {
      TensorRef out = call.tensorOutputs().get(k);
      boolean derivedHere = labels.hasDerived(out);
      if (untouched(out) && (!derivedHere || !anyInputRemoved(call))) {
        masks.put(out.id(), new BitSet());
        continue;
      }
      BitSet m = atomMask(labels.labelsOf(out));
      if (derivedHere && anyInputRemoved(call)) {
        int[] l = labels.labels(out);
        BitSet d = rule.derivedMask(call, k, this);
        for (int i = 0; i < l.length; i++) {
          if (l[i] == AtomTable.DERIVED && d.get(i)) {
            m.set(i);
          }
        }
      }
      masks.put(out.id(), m);
    }
  }

  private boolean anyInputRemoved(TracedCall call) {
    for (TensorRef t : call.tensorInputs()) {
      if (!mask(t).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Removed elements of a tensor (row-major flat indices). */
  public BitSet mask(TensorRef t) {
    BitSet m = masks.get(t.id());
    if (m != null) {
      return m;
    }
    if (untouched(t)) {
      m = new BitSet();
      masks.put(t.id(), m);
      return m;
    }
    m = atomMask(labels.labelsOf(t));
    masks.put(t.id(), m);
    return m;
  }

  /** The elements whose atom is removed: whole runs and repeats at once (labels are factored). */
  private BitSet atomMask(Labels l) {
    return FactoredMask.of(l, this::removedAtom);
  }

  /**
   * The shape a tensor has after pruning, or null when its kept elements do not form a dense tensor
   * (e.g. heads losing different numbers of channels) — such a removal cannot be run.
   */
  public long[] compressedShape(TensorRef t) {
    long[] s = compressed.get(t.id());
    if (s == null) {
      s = labels.hasDerived(t) ? null : alongOneDim(labels.labelsOf(t), mask(t));
      if (s == null) {
        s = DenseLayout.compress(Shape.of(t.shape()), mask(t));
      }
      if (s != null) {
        compressed.put(t.id(), s);
      }
    }
    return s;
  }

  /**
   * The pruned shape of labels that vary along at most one dim (what {@link DenseLayout#compress}
   * gives for such a mask, without walking it), or null for other labels.
   */
  private long[] alongOneDim(Labels l, BitSet mask) {
    int[] dims = l.varyingDims();
    if (dims.length > 1) {
      return null;
    }
    long[] out = l.shape().dims();
    if (mask.isEmpty()) {
      return out;
    }
    long kept = 0;
    for (int j = 0; dims.length == 1 && j < l.size(); j++) {
      kept += removedAtom(l.atom(j)) ? 0 : 1;
    }
    if (kept == 0) {
      out[0] = 0; // as DenseLayout.compress says it: everything removed
    } else {
      out[dims[0]] = kept;
    }
    return out;
  }

  /** The finished label pass this removal is seen on. */
  public LabelPass labels() {
    return labels;
  }
}
