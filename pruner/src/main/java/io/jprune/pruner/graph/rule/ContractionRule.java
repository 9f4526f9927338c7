package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.Labels;
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
  static final int UNSET = Integer.MIN_VALUE;
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
    return dims(Shape.of(a.shape()), Shape.of(b.shape()), Shape.of(call.outputTensor().shape()));
  }

  private static Dims dims(Shape a, Shape b, Shape out) {
    long[] batch = new long[out.rank() - 2];
    System.arraycopy(out.dims(), 0, batch, 0, batch.length);
    return new Dims(
        a,
        b,
        out,
        new Shape(batch),
        (int) a.dim(a.rank() - 2),
        (int) a.dim(a.rank() - 1),
        (int) b.dim(b.rank() - 1));
  }

  /**
   * The operands' labels, read through their atom strides: a dim the labels do not vary along has
   * step 0, so its rows (or columns) are all alike and are visited once.
   */
  private record Operands(Dims d, Labels a, Labels b, int[] as, int[] bs) {
    static Operands of(Dims d, Labels a, Labels b) {
      return new Operands(d, a, b, a.atomStrides(), b.atomStrides());
    }

    int aRowStep() {
      return as[as.length - 2];
    }

    int aColStep() {
      return as[as.length - 1];
    }

    int bRowStep() {
      return bs[bs.length - 2];
    }

    int bColStep() {
      return bs[bs.length - 1];
    }

    /** Distinct rows of a: all of them when its labels vary along rows, else one. */
    int rows() {
      return aRowStep() == 0 ? 1 : d.n();
    }

    /** Distinct columns of b: all of them when its labels vary along columns, else one. */
    int cols() {
      return bColStep() == 0 ? 1 : d.m();
    }

    /** a's atom at (row, col) of batch entry bt, whose atom index starts at {@code a0}. */
    int a(int a0, int row, int col) {
      return a.atom(a0 + row * aRowStep() + col * aColStep());
    }

    /** b's atom at (row, col) of batch entry bt, whose atom index starts at {@code b0}. */
    int b(int b0, int row, int col) {
      return b.atom(b0 + row * bRowStep() + col * bColStep());
    }

    /** Where batch entry bt of a starts in its atom index. */
    int aBase(int bt) {
      return base(d.a(), as, bt);
    }

    /** Where batch entry bt of b starts in its atom index. */
    int bBase(int bt) {
      return base(d.b(), bs, bt);
    }

    private int base(Shape s, int[] steps, int bt) {
      int rank = s.rank() - 2;
      int off = 0;
      for (int dim = 0; dim < rank; dim++) {
        if (steps[dim] != 0) { // a dim of size 1 is broadcast and never varies
          off += (int) d.batch().coord(bt, dim + d.batch().rank() - rank) * steps[dim];
        }
      }
      return off;
    }
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
    Labels al = pass.labelsOf(a);
    Labels bl = pass.labelsOf(b);
    if (hasParameterElements(al, pass) || hasParameterElements(bl, pass)) {
      pass.keepWhole(call);
      return;
    }
    pass.setLabels(out, contract(al, bl, d.out(), pass.atoms()));
  }

  /**
   * The labels of {@code a @ b} (both of rank 2 or more, batch dims broadcast onto {@code out}), of
   * operands labelled {@code al} and {@code bl}; joins and fixes the atoms the contracted index
   * couples.
   */
  static Labels contract(Labels al, Labels bl, Shape out, AtomTable atoms) {
    Dims d = dims(al.shape(), bl.shape(), out);
    if (d.out().numel() == 0 || d.k() == 0) {
      // nothing is contracted: no joins, and every output element (if any) is derived
      return Labels.constant(d.out(), AtomTable.DERIVED);
    }
    return contract(Operands.of(d, al, bl), atoms);
  }

  /**
   * Per batch entry, in order: couples the contracted index, then labels the output from the rows
   * of a and the columns of b. Rows (columns) along which the labels do not vary are alike, so each
   * is labelled once; the output is stored along the dims it can vary along.
   */
  private static Labels contract(Operands o, AtomTable atoms) {
    Dims d = o.d();
    int rows = o.rows();
    int cols = o.cols();
    int[] ol = new int[d.batch().numel() * rows * cols];
    for (int bt = 0, i = 0; bt < d.batch().numel(); bt++) {
      coupleContracted(o, bt, atoms);
      int[] aRow = rowLabels(o, bt, atoms);
      int[] bCol = columnLabels(o, bt, atoms);
      for (int row = 0; row < rows; row++) {
        for (int col = 0; col < cols; col++) {
          ol[i++] = outLabel(aRow[row], bCol[col]);
        }
      }
    }
    int rank = d.out().rank();
    int[] dims = new int[rank - 2 + (rows > 1 ? 1 : 0) + (cols > 1 ? 1 : 0)];
    for (int j = 0; j < rank - 2; j++) {
      dims[j] = j;
    }
    if (rows > 1) {
      dims[rank - 2] = rank - 2;
    }
    if (cols > 1) {
      dims[dims.length - 1] = rank - 1;
    }
    return Labels.factored(d.out(), dims, ol);
  }

  /**
   * Column kk of a and row kk of b are multiplied together: one channel, in batch entry bt. When
   * neither operand's labels vary along kk, every kk repeats the same couple, which changes nothing
   * once a couple joined no sets.
   */
  private static void coupleContracted(Operands o, int bt, AtomTable atoms) {
    int a0 = o.aBase(bt);
    int b0 = o.bBase(bt);
    boolean alongK = o.aColStep() != 0 || o.bRowStep() != 0;
    long before = -1;
    for (int kk = 0; kk < o.d().k(); kk++) {
      if (!alongK && atoms.links() == before) {
        return;
      }
      before = atoms.links();
      int aCol = UNSET;
      for (int row = 0; row < o.rows(); row++) {
        aCol = merge(aCol, o.a(a0, row, kk), atoms);
      }
      int bRow = UNSET;
      for (int col = 0; col < o.cols(); col++) {
        bRow = merge(bRow, o.b(b0, kk, col), atoms);
      }
      couple(aCol, bRow, atoms);
    }
  }

  /** The label of each distinct row of a in batch entry bt, over its contracted elements. */
  private static int[] rowLabels(Operands o, int bt, AtomTable atoms) {
    int a0 = o.aBase(bt);
    int k = o.aColStep() == 0 ? 1 : o.d().k();
    int[] aRow = new int[o.rows()];
    for (int row = 0; row < aRow.length; row++) {
      aRow[row] = UNSET;
      for (int kk = 0; kk < k; kk++) {
        aRow[row] = merge(aRow[row], o.a(a0, row, kk), atoms);
      }
    }
    return aRow;
  }

  /** The label of each distinct column of b in batch entry bt, over its contracted elements. */
  private static int[] columnLabels(Operands o, int bt, AtomTable atoms) {
    int b0 = o.bBase(bt);
    int k = o.bRowStep() == 0 ? 1 : o.d().k();
    int[] bCol = new int[o.cols()];
    for (int col = 0; col < bCol.length; col++) {
      bCol[col] = UNSET;
      for (int kk = 0; kk < k; kk++) {
        bCol[col] = merge(bCol[col], o.b(b0, kk, col), atoms);
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

  private static boolean hasParameterElements(Labels labels, LabelPass pass) {
    for (int j = 0; j < labels.size(); j++) {
      int l = labels.atom(j);
      if (l > 0 && pass.isParameterElementAtom(l)) {
        return true;
      }
    }
    return false;
  }

  /** {@code acc} merged with one more element: its root, or MIXED when they differ. */
  static int merge(int acc, int label, AtomTable atoms) {
    int l = label < 0 ? label : atoms.find(label);
    if (acc == UNSET) {
      return l;
    }
    return acc == l ? acc : MIXED;
  }

  /** The contracted index: a channel on one side must be the same channel on the other. */
  static void couple(int aCol, int bRow, AtomTable atoms) {
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

  /** The label of an output element from its row of a and its column of b. */
  static int outLabel(int aRow, int bCol) {
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
