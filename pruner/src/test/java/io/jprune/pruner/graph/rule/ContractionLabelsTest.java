package io.jprune.pruner.graph.rule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.graph.label.AtomTable;
import io.jprune.pruner.graph.label.Labels;
import io.jprune.pruner.graph.label.Shape;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ContractionRule#contract} on factored labels against a per-element reference (the rule as
 * it was written before labels were factored: every row, column and contracted index of every batch
 * entry, in the same order): the same output labels, the same sets and the same fixed atoms, on
 * random shapes with broadcast batch dims and random atoms (channels, FIXED, DERIVED; shared
 * between the operands, some joined or fixed beforehand).
 */
class ContractionLabelsTest {
  private static final int ATOMS = 8;

  static Stream<Long> seeds() {
    return LongStream.range(0, 200).boxed();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void factoredContractionEqualsPerElementReference(long seed) {
    Random r = new Random(seed);
    int batchRank = r.nextInt(3);
    long[] batch = new long[batchRank];
    for (int d = 0; d < batchRank; d++) {
      batch[d] = 1 + r.nextInt(3);
    }
    long n = r.nextInt(4); // 0 included: empty outputs
    long k = r.nextInt(5);
    long m = 1 + r.nextInt(4);
    Shape a = new Shape(operand(batch, n, k, r));
    Shape b = new Shape(operand(batch, k, m, r));
    long[] out = new long[batchRank + 2];
    System.arraycopy(batch, 0, out, 0, batchRank);
    out[batchRank] = n;
    out[batchRank + 1] = m;
    Labels al = randomLabels(a, r);
    Labels bl = randomLabels(b, r);
    long tableSeed = r.nextLong();
    AtomTable factored = table(tableSeed);
    AtomTable reference = table(tableSeed);

    Labels actual = ContractionRule.contract(al, bl, new Shape(out), factored);
    Labels expected = Labels.of(new Shape(out), perElement(al, bl, new Shape(out), reference));

    assertArrayEquals(expected.varyingDims(), actual.varyingDims(), "varying dims");
    assertArrayEquals(expected.dense(), actual.dense(), "output labels");
    for (int atom = 0; atom <= ATOMS; atom++) {
      assertEquals(reference.find(atom), factored.find(atom), "root of atom " + atom);
    }
  }

  /** Batch dims of the operand: the trailing ones, each kept or broadcast (size 1). */
  private static long[] operand(long[] batch, long rows, long cols, Random r) {
    int rank = r.nextInt(batch.length + 1);
    long[] s = new long[rank + 2];
    for (int d = 0; d < rank; d++) {
      s[d] = r.nextInt(3) == 0 ? 1 : batch[batch.length - rank + d];
    }
    s[rank] = rows;
    s[rank + 1] = cols;
    return s;
  }

  /** Atoms 1..ATOMS, some joined and some fixed, the same for a given seed. */
  private static AtomTable table(long seed) {
    Random r = new Random(seed);
    AtomTable t = new AtomTable();
    for (int i = 0; i < ATOMS; i++) {
      t.fresh();
    }
    for (int i = r.nextInt(3); i > 0; i--) {
      t.union(1 + r.nextInt(ATOMS), 1 + r.nextInt(ATOMS));
    }
    if (r.nextBoolean()) {
      t.fix(1 + r.nextInt(ATOMS));
    }
    return t;
  }

  /** Labels along a random subset of dims: mostly channels, some FIXED or DERIVED. */
  private static Labels randomLabels(Shape s, Random r) {
    if (s.numel() == 0) {
      return Labels.of(s, new int[0]);
    }
    int[] dims = r.ints(0, s.rank()).distinct().limit(r.nextInt(s.rank() + 1)).sorted().toArray();
    if (r.nextInt(4) == 0) {
      return Labels.constant(s, r.nextBoolean() ? AtomTable.DERIVED : AtomTable.FIXED);
    }
    long size = 1;
    for (int d : dims) {
      size *= s.dim(d);
    }
    int[] atoms = new int[(int) size];
    for (int j = 0; j < atoms.length; j++) {
      int x = r.nextInt(ATOMS + 2);
      atoms[j] = x == ATOMS + 1 ? AtomTable.DERIVED : x; // 0 is FIXED
    }
    return Labels.factored(s, dims, atoms);
  }

  // --- the per-element reference: the rule's merge, couple and outLabel on every element ---

  private static int[] perElement(Labels al, Labels bl, Shape out, AtomTable atoms) {
    Shape a = al.shape();
    Shape b = bl.shape();
    int[] ad = al.dense();
    int[] bd = bl.dense();
    int n = (int) a.dim(a.rank() - 2);
    int k = (int) a.dim(a.rank() - 1);
    int m = (int) b.dim(b.rank() - 1);
    long[] batchDims = new long[out.rank() - 2];
    System.arraycopy(out.dims(), 0, batchDims, 0, batchDims.length);
    Shape batch = new Shape(batchDims);
    int[] ol = new int[out.numel()];
    for (int bt = 0; bt < batch.numel(); bt++) {
      int a0 = base(a, batch, bt);
      int b0 = base(b, batch, bt);
      for (int kk = 0; kk < k; kk++) {
        int aCol = ContractionRule.UNSET;
        for (int row = 0; row < n; row++) {
          aCol = ContractionRule.merge(aCol, ad[a0 + row * k + kk], atoms);
        }
        int bRow = ContractionRule.UNSET;
        for (int col = 0; col < m; col++) {
          bRow = ContractionRule.merge(bRow, bd[b0 + kk * m + col], atoms);
        }
        ContractionRule.couple(aCol, bRow, atoms);
      }
      int[] aRow = new int[n];
      for (int row = 0; row < n; row++) {
        aRow[row] = ContractionRule.UNSET;
        for (int kk = 0; kk < k; kk++) {
          aRow[row] = ContractionRule.merge(aRow[row], ad[a0 + row * k + kk], atoms);
        }
      }
      int[] bCol = new int[m];
      for (int col = 0; col < m; col++) {
        bCol[col] = ContractionRule.UNSET;
        for (int kk = 0; kk < k; kk++) {
          bCol[col] = ContractionRule.merge(bCol[col], bd[b0 + kk * m + col], atoms);
        }
      }
      for (int row = 0; row < n; row++) {
        for (int col = 0; col < m; col++) {
          ol[bt * n * m + row * m + col] = ContractionRule.outLabel(aRow[row], bCol[col]);
        }
      }
    }
    return ol;
  }

  private static int base(Shape s, Shape batch, int bt) {
    int rank = s.rank() - 2;
    long off = 0;
    for (int d = 0; d < rank; d++) {
      long coord = s.dim(d) == 1 ? 0 : batch.coord(bt, d + batch.rank() - rank);
      off += coord * s.stride(d);
    }
    return (int) off;
  }
}
