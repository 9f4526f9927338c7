package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.tracer.TensorOrigin;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;

/**
 * matmul / mm / bmm: {@code a[..., n, k] @ b[..., k, m]} with broadcast batch dims. The contracted
 * index couples a's column with b's row (this ties q to k in attention); batch dims align (heads of
 * the scores with heads of v); an output element follows a's row or b's column when only one of
 * them is a channel (attn @ v keeps v's channels), else it is derived.
 *
 * <p>{@code x.matmul(W)} with W a registered 2-D parameter read by no other call is a layer: a
 * {@link Projection} whose input channels are W's rows and whose outputs are W's columns. Other
 * uses of parameters as matrix operands would need one atom per row and per column; that is not
 * modelled, so their channels are kept.
 */
final class ContractionRule implements OpRule {
  private static final int UNSET = Integer.MIN_VALUE;
  private static final int MIXED = Integer.MIN_VALUE + 1;

  /** Index arithmetic of one traced matmul. */
  private record Dims(Shape a, Shape b, Shape out, Shape batch, int n, int k, int m) {
    /** Where batch entry bt of a starts: its element (row, col) is {@code + row * k + col}. */
    int aBase(int bt) {
      return (int) batchOffset(a, bt);
    }

    /** Where batch entry bt of b starts: its element (row, col) is {@code + row * m + col}. */
    int bBase(int bt) {
      return (int) batchOffset(b, bt);
    }

    int outIndex(int bt, int row, int col) {
      return (int) ((long) bt * n * m + (long) row * m + col);
    }

    private long batchOffset(Shape s, int bt) {
      int rank = s.rank() - 2;
      long off = 0;
      for (int d = 0; d < rank; d++) {
        long size = s.dim(d);
        long coord = size == 1 ? 0 : batch.coord(bt, d + batch.rank() - rank);
        off += coord * s.stride(d);
      }
      return off;
    }
  }

  private static Dims dims(TracedCall call) {
    TensorRef a = call.tensorInputs().get(0);
    TensorRef b = call.tensorInputs().get(1);
    if (a.rank() < 2 || b.rank() < 2) {
      return null;
    }
    Shape out = Shape.of(call.outputTensor().shape());
    long[] batch = new long[out.rank() - 2];
    System.arraycopy(out.dims(), 0, batch, 0, batch.length);
    return new Dims(
        Shape.of(a.shape()),
        Shape.of(b.shape()),
        out,
        new Shape(batch),
        (int) a.size(-2),
        (int) a.size(-1),
        (int) b.size(-1));
  }

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    Dims d = dims(call);
    TensorRef a = call.tensorInputs().get(0);
    TensorRef b = call.tensorInputs().get(1);
    TensorRef out = call.outputTensor();
    if (isProjection(call, pass)) {
      pass.claimParameter(b);
      Projection.propagate(pass, a, out, b.name(), 0, null);
      return;
    }
    if (d == null || call.tensorInputs().size() != 2) {
      pass.keepWhole(call);
      return;
    }
    int[] al = pass.labels(a);
    int[] bl = pass.labels(b);
    if (hasParameterElements(al, pass) || hasParameterElements(bl, pass)) {
      pass.keepWhole(call);
      return;
    }
    AtomTable atoms = pass.atoms();
    int[] ol = new int[d.out().numel()];
    for (int bt = 0; bt < d.batch().numel(); bt++) {
      coupleContracted(d, bt, al, bl, atoms);
      int[] aRow = rowLabels(d, bt, al, atoms);
      int[] bCol = columnLabels(d, bt, bl, atoms);
      for (int row = 0; row < d.n(); row++) {
        for (int col = 0; col < d.m(); col++) {
          ol[d.outIndex(bt, row, col)] = outLabel(aRow[row], bCol[col]);
        }
      }
    }
    pass.setLabels(out, ol);
  }

  /** Column kk of a and row kk of b are multiplied together: one channel, in batch entry bt. */
  private static void coupleContracted(Dims d, int bt, int[] al, int[] bl, AtomTable atoms) {
    int a0 = d.aBase(bt); // batch offsets once per entry, not per element
    int b0 = d.bBase(bt);
    for (int kk = 0; kk < d.k(); kk++) {
      int aCol = UNSET;
      for (int row = 0; row < d.n(); row++) {
        aCol = merge(aCol, al[a0 + row * d.k() + kk], atoms);
      }
      int bRow = UNSET;
      for (int col = 0; col < d.m(); col++) {
        bRow = merge(bRow, bl[b0 + kk * d.m() + col], atoms);
      }
      couple(aCol, bRow, atoms);
    }
  }

  /** The label of each row of a in batch entry bt, over its contracted elements. */
  private static int[] rowLabels(Dims d, int bt, int[] al, AtomTable atoms) {
    int a0 = d.aBase(bt);
    int[] aRow = new int[d.n()];
    for (int row = 0; row < d.n(); row++) {
      aRow[row] = UNSET;
      for (int kk = 0; kk < d.k(); kk++) {
        aRow[row] = merge(aRow[row], al[a0 + row * d.k() + kk], atoms);
      }
    }
    return aRow;
  }

  /** The label of each column of b in batch entry bt, over its contracted elements. */
  private static int[] columnLabels(Dims d, int bt, int[] bl, AtomTable atoms) {
    int b0 = d.bBase(bt);
    int[] bCol = new int[d.m()];
    for (int col = 0; col < d.m(); col++) {
      bCol[col] = UNSET;
      for (int kk = 0; kk < d.k(); kk++) {
        bCol[col] = merge(bCol[col], bl[b0 + kk * d.m() + col], atoms);
      }
    }
    return bCol;
  }

  /** {@code x @ W}: a 2-D registered parameter on the right, x not a parameter. */
  private static boolean isProjection(TracedCall call, LabelPass pass) {
    if (call.tensorInputs().size() != 2) {
      return false;
    }
    TensorRef a = call.tensorInputs().get(0);
    TensorRef b = call.tensorInputs().get(1);
    return b.rank() == 2
        && a.rank() >= 1
        && a.origin() != TensorOrigin.PARAMETER
        && pass.canClaimParameter(b, call);
  }

  private static boolean hasParameterElements(int[] labels, LabelPass pass) {
    for (int l : labels) {
      if (l > 0 && pass.isParameterElementAtom(l)) {
        return true;
      }
    }
    return false;
  }

  private static int merge(int acc, int label, AtomTable atoms) {
    int l = label < 0 ? label : atoms.find(label);
    if (acc == UNSET) {
      return l;
    }
    return acc == l ? acc : MIXED;
  }

  /** The contracted index: a channel on one side must be the same channel on the other. */
  private static void couple(int aCol, int bRow, AtomTable atoms) {
    boolean aAtom = aCol > AtomTable.FIXED;
    boolean bAtom = bRow > AtomTable.FIXED;
    if (aAtom && (bAtom || bRow == AtomTable.FIXED)) {
      atoms.union(aCol, bRow);
    } else if (bAtom && aCol == AtomTable.FIXED) {
      atoms.fix(bRow);
    } else if (aAtom && bRow == MIXED) {
      atoms.fix(aCol);
    } else if (bAtom && aCol == MIXED) {
      atoms.fix(bRow);
    } else if (aAtom && bRow == AtomTable.DERIVED) {
      atoms.fix(aCol);
    } else if (bAtom && aCol == AtomTable.DERIVED) {
      atoms.fix(bRow);
    }
  }

  private static int outLabel(int aRow, int bCol) {
    boolean aAtom = aRow > AtomTable.FIXED;
    boolean bAtom = bCol > AtomTable.FIXED;
    if (aAtom && !bAtom) {
      return aRow;
    }
    if (bAtom && !aAtom) {
      return bCol;
    }
    if (!aAtom && aRow == AtomTable.FIXED && bCol == AtomTable.FIXED) {
      return AtomTable.FIXED;
    }
    return AtomTable.DERIVED;
  }

  /** An output element is gone when a's whole row or b's whole column is. */
  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    Dims d = dims(call);
    BitSet am = pass.mask(call.tensorInputs().get(0));
    BitSet bm = pass.mask(call.tensorInputs().get(1));
    BitSet m = new BitSet(d.out().numel());
    for (int bt = 0; bt < d.batch().numel(); bt++) {
      int a0 = d.aBase(bt);
      int b0 = d.bBase(bt);
      boolean[] rowGone = new boolean[d.n()];
      for (int row = 0; row < d.n(); row++) {
        int from = a0 + row * d.k();
        rowGone[row] = am.nextClearBit(from) >= from + d.k(); // the whole row is removed
      }
      boolean[] colGone = new boolean[d.m()];
      for (int col = 0; col < d.m(); col++) {
        colGone[col] = true;
        for (int kk = 0; kk < d.k() && colGone[col]; kk++) {
          colGone[col] = bm.get(b0 + kk * d.m() + col);
        }
      }
      for (int row = 0; row < d.n(); row++) {
        for (int col = 0; col < d.m(); col++) {
          if (rowGone[row] || colGone[col]) {
            m.set(d.outIndex(bt, row, col));
          }
        }
      }
    }
    return m;
  }
}
