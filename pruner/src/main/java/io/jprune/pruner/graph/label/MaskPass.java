package io.jprune.pruner.graph.label;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
  private final Map<Integer, int[]> kept =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, int[]> eldest) {
          return size() > KEPT_CACHED; // a call's inputs and outputs; whole passes would be large
        }
      };
  private static final int KEPT_CACHED = 4;

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
        for (int i = d.nextSetBit(0); i >= 0 && i < l.length; i = d.nextSetBit(i + 1)) {
          if (l[i] == AtomTable.DERIVED) {
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

  /**
   * The kept elements of a tensor, ascending (row-major flat indices): the clear bits of {@link
   * #mask}. Shared with the last few callers: do not change it.
   */
  public int[] keptIndices(TensorRef t) {
    int[] k = kept.get(t.id());
    if (k == null) {
      k =
          labels.hasDerived(t)
              ? clearBits(mask(t), Shape.of(t.shape()).numel())
              : FactoredMask.kept(labels.labelsOf(t), this::removedAtom);
      kept.put(t.id(), k);
    }
    return k;
  }

  private static int[] clearBits(BitSet removed, int numel) {
    int[] out = new int[numel - removed.cardinality()];
    int e = 0;
    for (int i = removed.nextClearBit(0); i < numel; i = removed.nextClearBit(i + 1)) {
      out[e++] = i;
    }
    return out;
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
      s =
          labels.hasDerived(t)
              ? DenseLayout.compress(Shape.of(t.shape()), mask(t))
              : FactoredMask.compressedShape(labels.labelsOf(t), this::removedAtom);
      if (s != null) {
        compressed.put(t.id(), s);
      }
    }
    return s;
  }

  /** The finished label pass this removal is seen on. */
  public LabelPass labels() {
    return labels;
  }
}
