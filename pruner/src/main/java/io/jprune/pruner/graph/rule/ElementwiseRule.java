package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.LabelWalk;
import io.jprune.pruner.graph.label.Labels;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Element-wise ops with numpy broadcasting (activations, add/mul/..., dtype casts, built-in
 * activation and dropout modules): an output element couples the input elements it is computed
 * from. Operands broadcast into many outputs (a bias, pos_embed over the batch, a scalar tensor)
 * couple only when they are themselves prunable; a constant broadcast into channels makes the
 * channels' pruning inexact for additive ops, as does any op that maps 0 to non-zero.
 */
final class ElementwiseRule implements OpRule {
  /** What an op does to a zero (the masked original's removed channels). */
  enum Zero {
    /** f(0) = 0 (relu, gelu, mul, casts, ...). */
    PRESERVED,
    /** f(0) != 0 in general (sigmoid, exp, ...): masked and pruned outputs differ. */
    LOST,
    /** add/sub: zero stays zero unless a non-zero constant is added. */
    ADDITIVE,
    /** div: 0/0 for removed denominators. */
    DIVISION
  }

  private final Zero zero;

  ElementwiseRule(Zero zero) {
    this.zero = zero;
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    TensorRef out = call.outputTensor();
    Shape os = Shape.of(out.shape());
    Operands operands = Operands.of(call, pass, os);
    AtomTable atoms = pass.atoms();
    String site = call.site().op() + " at " + call.site().location();
    boolean constantOperand = hasNonZeroScalar(call);
    // reasons built once: the loop below runs per element
    String lost = call.op() + " maps 0 to non-zero at " + site;
    String division = "division at " + site;
    String constantAdded = "a constant is added at " + site;
    // once per position of the dims the operands vary along, in the order a walk over every
    // output element first meets it: the joins of the other elements repeat those (no-ops)
    LabelWalk w = operands.walk();
    int[] ol = new int[w.positions()];
    for (int i = 0; i < ol.length; i++, w.next()) {
      int label =
          joinBroadcastOperands(
              operands, w, joinFullOperands(operands, w, atoms), atoms, constantAdded);
      if (zero == Zero.LOST || zero == Zero.ADDITIVE && constantOperand) {
        atoms.markInexact(label, lost);
      } else if (zero == Zero.DIVISION) {
        atoms.markInexact(label, division);
      }
      ol[i] = label;
    }
    pass.setLabels(out, Labels.factored(os, w.dims(), ol));
  }

  /**
   * The labels of a call's tensor operands; {@code full} ones have as many elements as the output,
   * the others are broadcast onto it.
   */
  private record Operands(List<Labels> labels, boolean[] full, Shape out) {
    static Operands of(TracedCall call, LabelPass pass, Shape out) {
      List<TensorRef> ins = call.tensorInputs();
      List<Labels> labels = new ArrayList<>(ins.size());
      boolean[] full = new boolean[ins.size()];
      for (int k = 0; k < ins.size(); k++) {
        labels.add(pass.labelsOf(ins.get(k)));
        full[k] = labels.get(k).shape().numel() == out.numel();
      }
      return new Operands(labels, full, out);
    }

    LabelWalk walk() {
      return LabelWalk.over(out, labels);
    }

    /** Operand k's label at the walk's position. */
    int labelAt(int k, LabelWalk w) {
      return labels.get(k).atom(w.index(k));
    }
  }

  /**
   * Output element {@code i} is the atom of the full-size operands' elements there, joined; derived
   * when they are all derived, FIXED when there are none or when atoms meet derived values.
   */
  private static int joinFullOperands(Operands operands, LabelWalk i, AtomTable atoms) {
    int label = Integer.MIN_VALUE;
    boolean derived = false;
    for (int k = 0; k < operands.full().length; k++) {
      if (!operands.full()[k]) {
        continue;
      }
      int l = operands.labelAt(k, i);
      if (l == AtomTable.DERIVED) {
        derived = true;
      } else {
        label = label == Integer.MIN_VALUE ? atoms.find(l) : atoms.union(label, l);
      }
    }
    if (label == Integer.MIN_VALUE) {
      return derived ? AtomTable.DERIVED : AtomTable.FIXED;
    }
    if (derived) {
      atoms.fix(label); // an atom mixed with derived values cannot be removed on its own
      return AtomTable.FIXED;
    }
    return label;
  }

  /**
   * Broadcast operands (a bias, a scale) join the element's atom; constants added make it inexact.
   */
  private int joinBroadcastOperands(
      Operands operands, LabelWalk i, int label, AtomTable atoms, String constantAdded) {
    for (int k = 0; k < operands.full().length; k++) {
      if (operands.full()[k]) {
        continue;
      }
      int l = operands.labelAt(k, i);
      if (l > AtomTable.FIXED) {
        if (label == AtomTable.DERIVED) {
          atoms.fix(l);
        } else {
          label = atoms.union(label, l);
        }
      } else if (zero == Zero.ADDITIVE) {
        atoms.markInexact(label, constantAdded);
      }
    }
    return label;
  }

  private static boolean hasNonZeroScalar(TracedCall call) {
    for (Value v : call.args()) {
      if (v instanceof Value.ScalarValue s && s.value() != 0 && !isAlpha(call, v)) {
        return true;
      }
      if (v instanceof Value.DoubleValue d && d.value() != 0) {
        return true;
      }
    }
    return false;
  }

  /** add(Tensor other, Scalar alpha): alpha scales the tensor operand, it adds no constant. */
  private static boolean isAlpha(TracedCall call, Value v) {
    return !call.args().isEmpty()
        && call.args().get(0) instanceof Value.TensorValue
        && call.args().indexOf(v) > 0;
  }

  /** A derived output element is gone when the full-size inputs feeding it are. */
  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    TensorRef out = call.outputTensor();
    Shape os = Shape.of(out.shape());
    BitSet m = new BitSet(os.numel());
    for (TensorRef in : call.tensorInputs()) {
      Shape is = Shape.of(in.shape());
      if (is.numel() != os.numel()) {
        continue;
      }
      BitSet im = pass.mask(in);
      for (int i = 0; i < os.numel(); i++) {
        if (im.get(is.broadcastSource(i, os))) {
          m.set(i);
        }
      }
    }
    return m;
  }
}
