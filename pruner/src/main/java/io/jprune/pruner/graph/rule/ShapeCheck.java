package io.jprune.pruner.graph.rule;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.graph.label.DenseLayout;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.module.CallShapes;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorOrigin;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whole-trace validation of a removal before anything is cut: every traced call must run on the
 * pruned shapes and compute the kept part of what it computed. Layout ops are proven by replay
 * ({@link LayoutRule}); this class checks the rest: parameters and buffers read by an op are cut to
 * the shape the op's pruned input needs, element-wise ops broadcast the pruned operands onto the
 * pruned output element by element, matmul's batch and contracted dims agree after pruning (heads
 * taken from q and k must be taken from v too), and built-in layers get inputs whose channel count
 * matches their pruned weights. A failure is a {@link PlanException} naming the op, the call site
 * and the shapes.
 */
public final class ShapeCheck {
  private final MaskPass masks;
  private final Map<String, ParamCut> cuts;

  /** A check of the removal whose masks and parameter cuts these are. */
  public ShapeCheck(MaskPass masks, Map<String, ParamCut> cuts) {
    this.masks = masks;
    this.cuts = cuts;
  }

  /**
   * Checks one call (its outputs masked already) whose rule is {@code rule}.
   *
   * @throws PlanException naming the op, call site and shapes when the pruned call would not run or
   *     not compute the kept part
   */
  public void check(TracedCall call, OpRule rule) {
    for (TensorRef in : call.tensorInputs()) {
      checkParameterOperand(call, in);
    }
    if (call.isModuleCall()) {
      checkModule(call);
    } else if (rule instanceof ElementwiseRule) {
      checkElementwise(call);
    } else if (rule instanceof ContractionRule) {
      checkContraction(call);
    } else if (rule instanceof FunctionalLinearRule) {
      checkFunctionalLinear(call);
    }
  }

  /**
   * A bare parameter (cls_token, pos_embed, a scale vector) an op reads is cut exactly where the
   * op's pruned view of it is. Weights claimed by a layer rule are checked with their layer.
   */
  private void checkParameterOperand(TracedCall call, TensorRef t) {
    if (!isBare(t)) {
      return;
    }
    long[] needed = pruned(call, t);
    long[] cut = paramShape(t.name(), t.shape());
    if (!Arrays.equals(needed, cut)) {
      throw new PlanException(
          where(call)
              + " reads "
              + t.name()
              + " as "
              + Arrays.toString(needed)
              + " after the removal, but the removal cuts it to "
              + Arrays.toString(cut));
    }
  }

  private boolean isBare(TensorRef t) {
    return t.origin() == TensorOrigin.PARAMETER
        && t.name() != null
        && masks.labels().isBareParameter(t.name());
  }

  /** A weight a layer rule sliced (x @ W, torch.linear): not labelled, cut through bindings. */
  private boolean isClaimed(TensorRef t) {
    return t != null && t.origin() == TensorOrigin.PARAMETER && t.name() != null && !isBare(t);
  }

  private long[] paramShape(String name, ImmutableLongArray traced) {
    ParamCut cut = cuts.get(name);
    return cut != null ? cut.newShape() : traced.toArray();
  }

  private void checkElementwise(TracedCall call) {
    TensorRef out = call.outputTensor();
    Shape os = Shape.of(out.shape());
    BitSet om = masks.mask(out);
    long[] outPruned = pruned(call, out);
    Shape ps = new Shape(outPruned);
    int[] outPos = null;
    for (TensorRef in : call.tensorInputs()) {
      Shape is = Shape.of(in.shape());
      long[] inPruned = pruned(call, in);
      checkBroadcasts(call, in, inPruned, out, outPruned);
      BitSet im = masks.mask(in);
      Shape pis = new Shape(inPruned);
      boolean sameIn = is.sameLayoutAs(os); // per call, not per element
      boolean samePruned = pis.sameLayoutAs(ps);
      if (sameIn && samePruned && im.equals(om)) {
        continue; // each kept element reads itself: same mask, same layout before and after
      }
      if (outPos == null) {
        outPos = DenseLayout.keptPositions(os.numel(), om);
      }
      int[] inPos = DenseLayout.keptPositions(is.numel(), im);
      for (int i = om.nextClearBit(0); i < os.numel(); i = om.nextClearBit(i + 1)) {
        int src = sameIn ? i : is.broadcastSource(i, os);
        int now = samePruned ? outPos[i] : pis.broadcastSource(outPos[i], ps);
        if (inPos[src] != now) {
          throw misread(call, out, in, i, now, inPos[src], src);
        }
      }
    }
  }

  private static void checkBroadcasts(
      TracedCall call, TensorRef in, long[] inPruned, TensorRef out, long[] outPruned) {
    if (!broadcastsTo(inPruned, outPruned)) {
      throw new PlanException(
          where(call)
              + " cannot broadcast the pruned operand "
              + Arrays.toString(inPruned)
              + " (was "
              + in.shape()
              + ") to the pruned output "
              + Arrays.toString(outPruned)
              + " (was "
              + out.shape()
              + ")");
    }
  }

  private static PlanException misread(
      TracedCall call, TensorRef out, TensorRef in, int i, int now, int was, int src) {
    return new PlanException(
        where(call)
            + ": kept output element "
            + i
            + " of "
            + out
            + " would read element "
            + now
            + " of the pruned operand "
            + in
            + " instead of "
            + (was < 0 ? "its removed element " + src : "element " + was)
            + ": the removal breaks this op's broadcasting");
  }

  private static boolean broadcastsTo(long[] in, long[] out) {
    if (in.length > out.length) {
      return false;
    }
    int offset = out.length - in.length;
    for (int d = 0; d < in.length; d++) {
      if (in[d] != 1 && in[d] != out[d + offset]) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code a[..., n, k] @ b[..., k, m]}: after pruning the contracted sizes agree, the batch dims
   * broadcast to the output's, and a kept contracted index is kept on both sides.
   */
  private void checkContraction(TracedCall call) {
    if (call.tensorInputs().size() != 2) {
      return;
    }
    TensorRef a = call.tensorInputs().get(0);
    TensorRef b = call.tensorInputs().get(1);
    long[] ap = pruned(call, a);
    long[] op = pruned(call, call.outputTensor());
    if (isClaimed(b) && b.rank() == 2) {
      long[] w = paramShape(b.name(), b.shape());
      expect(call, ap[ap.length - 1] == w[0] && op[op.length - 1] == w[1], ap, op, w);
      return;
    }
    long[] bp = pruned(call, b);
    if (a.rank() < 2 || b.rank() < 2) {
      return; // vector products: the element-wise contraction of one dim, checked by the labels
    }
    checkContractedSizes(call, a, ap, b, bp);
    checkBatchSizes(call, a, ap, b, bp, op);
    checkBatchIndices(call, a);
    checkBatchIndices(call, b);
    checkContractedIndices(call, a, b);
  }

  private static void checkContractedSizes(
      TracedCall call, TensorRef a, long[] ap, TensorRef b, long[] bp) {
    if (ap[ap.length - 1] != bp[bp.length - 2]) {
      throw new PlanException(
          where(call)
              + " would contract "
              + ap[ap.length - 1]
              + " columns of "
              + a
              + " (pruned "
              + Arrays.toString(ap)
              + ") with "
              + bp[bp.length - 2]
              + " rows of "
              + b
              + " (pruned "
              + Arrays.toString(bp)
              + ")");
    }
  }

  /** The pruned batch dims broadcast to the output's; rows come from a, columns from b. */
  private static void checkBatchSizes(
      TracedCall call, TensorRef a, long[] ap, TensorRef b, long[] bp, long[] op) {
    long[] batch = Arrays.copyOf(op, op.length - 2);
    long[] aBatch = Arrays.copyOf(ap, ap.length - 2);
    long[] bBatch = Arrays.copyOf(bp, bp.length - 2);
    if (!broadcastsTo(aBatch, batch)
        || !broadcastsTo(bBatch, batch)
        || op[op.length - 2] != ap[ap.length - 2]
        || op[op.length - 1] != bp[bp.length - 1]) {
      throw new PlanException(
          where(call)
              + " would multiply "
              + Arrays.toString(ap)
              + " by "
              + Arrays.toString(bp)
              + " (batch dims "
              + Arrays.toString(aBatch)
              + " and "
              + Arrays.toString(bBatch)
              + ") into "
              + Arrays.toString(op)
              + ": the removal takes "
              + "different heads or batch entries from the two operands (was "
              + a
              + " @ "
              + b
              + ")");
    }
  }

  /**
   * The batch entries (heads) an operand keeps are the ones the output keeps: a pruned batch dim of
   * size 1 would otherwise broadcast one kept head of q over the heads kept by k or v.
   */
  private void checkBatchIndices(TracedCall call, TensorRef operand) {
    TensorRef out = call.outputTensor();
    Shape os = Shape.of(out.shape());
    Shape s = Shape.of(operand.shape());
    BitSet om = masks.mask(out);
    BitSet m = masks.mask(operand);
    int offset = os.rank() - s.rank();
    for (int d = 0; d < s.rank() - 2; d++) {
      if (s.dim(d) == 1) {
        continue; // broadcast in the original too
      }
      long[] kept = DenseLayout.keptAlong(s, m, d);
      long[] outKept = DenseLayout.keptAlong(os, om, d + offset);
      if (!Arrays.equals(kept, outKept)) {
        throw new PlanException(
            where(call)
                + " would keep entries "
                + Arrays.toString(kept)
                + " of batch dim "
                + d
                + " of "
                + operand
                + " but the output keeps "
                + Arrays.toString(outKept)
                + ": the removal takes different heads or batch entries "
                + "from the operands");
      }
    }
  }

  /** In every kept batch entry, a's kept columns are b's kept rows. */
  private void checkContractedIndices(TracedCall call, TensorRef a, TensorRef b) {
    Shape as = Shape.of(a.shape());
    Shape bs = Shape.of(b.shape());
    Shape os = Shape.of(call.outputTensor().shape());
    BitSet am = masks.mask(a);
    BitSet bm = masks.mask(b);
    BitSet om = masks.mask(call.outputTensor());
    long n = a.size(-2);
    long k = a.size(-1);
    long m = b.size(-1);
    int batches = (int) (os.numel() / (n * m));
    for (int bt = 0; bt < batches; bt++) {
      int outFirst = (int) (bt * n * m);
      boolean batchKept = false;
      for (int i = outFirst; i < outFirst + n * m && !batchKept; i++) {
        batchKept = !om.get(i);
      }
      if (!batchKept) {
        continue;
      }
      // the broadcast source of (bt, 0, 0) is where the batch entry starts in each operand
      int aBase = as.broadcastSource(outFirst, os);
      int bBase = bs.broadcastSource(outFirst, os);
      int aRow = firstKeptRow(am, aBase, n, k);
      int bCol = firstKeptColumn(bm, bBase, k, m);
      if (aRow < 0 || bCol < 0) {
        continue;
      }
      for (long kk = 0; kk < k; kk++) {
        boolean aKept = !am.get((int) (aBase + aRow * k + kk));
        boolean bKept = !bm.get((int) (bBase + kk * m + bCol));
        if (aKept != bKept) {
          throw new PlanException(
              where(call)
                  + " would pair column "
                  + kk
                  + " of "
                  + a
                  + (aKept ? " (kept)" : " (removed)")
                  + " with row "
                  + kk
                  + " of "
                  + b
                  + (bKept ? " (kept)" : " (removed)")
                  + ": the removal must take contracted "
                  + "channels from both operands");
        }
      }
    }
  }

  private static int firstKeptRow(BitSet mask, int base, long rows, long cols) {
    for (int r = 0; r < rows; r++) {
      int from = (int) (base + r * cols);
      if (mask.nextClearBit(from) < from + cols) {
        return r;
      }
    }
    return -1;
  }

  private static int firstKeptColumn(BitSet mask, int base, long rows, long cols) {
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        if (!mask.get((int) (base + r * cols + c))) {
          return c;
        }
      }
    }
    return -1;
  }

  /** {@code linear(x, W, b)} (W rows are outputs) and {@code addmm(b, x, W)} (W columns). */
  private void checkFunctionalLinear(TracedCall call) {
    boolean addmm = call.op().equals("addmm");
    List<TensorRef> ins = call.tensorInputs();
    int wi = addmm ? 2 : 1;
    if (ins.size() <= wi || !isClaimed(ins.get(wi)) || ins.get(wi).rank() != 2) {
      return; // kept whole
    }
    TensorRef w = ins.get(wi);
    long[] ws = paramShape(w.name(), w.shape());
    long[] ip = pruned(call, ins.get(addmm ? 1 : 0));
    long[] op = pruned(call, call.outputTensor());
    int inDim = addmm ? 0 : 1;
    expect(call, ip[ip.length - 1] == ws[inDim] && op[op.length - 1] == ws[1 - inDim], ip, op, ws);
  }

  /**
   * Modules with a weight: the pruned input's and output's channels match the pruned weight, as its
   * kind says ({@link ModuleKind#shapesAgree}).
   */
  private void checkModule(TracedCall call) {
    if (call.tensorInputs().isEmpty() || call.tensorOutputs().isEmpty()) {
      return;
    }
    TensorRef in = call.tensorInputs().get(0);
    String weight = ModuleLabels.param(call, "weight");
    ImmutableLongArray traced = masks.labels().parameterShape(weight);
    if (traced == null) {
      return;
    }
    long[] w = paramShape(weight, traced);
    long[] ip = pruned(call, in);
    long[] op = pruned(call, call.tensorOutputs().get(0));
    Optional<ModuleKind> kind = masks.labels().catalog().find(ModuleLabels.type(call));
    if (kind.isPresent()) {
      CallShapes shapes =
          new CallShapes(
              ImmutableLongArray.copyOf(ip),
              ImmutableLongArray.copyOf(op),
              in.shape(),
              ImmutableLongArray.copyOf(w),
              traced);
      expect(call, kind.get().shapesAgree(shapes), ip, op, w);
    }
  }

  private static void expect(TracedCall call, boolean ok, long[] in, long[] out, long[] w) {
    if (!ok) {
      throw new PlanException(
          where(call)
              + " would get input "
              + Arrays.toString(in)
              + " and give "
              + Arrays.toString(out)
              + " with its weight cut to "
              + Arrays.toString(w));
    }
  }

  private long[] pruned(TracedCall call, TensorRef t) {
    long[] s = masks.compressedShape(t);
    if (s == null) {
      throw PlanException.irregular(t, call);
    }
    return s;
  }

  private static String where(TracedCall call) {
    return call.site().op() + " at " + call.site().location();
  }
}
