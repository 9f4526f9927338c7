package io.jprune.pruner.graph.label;

import java.util.List;

/**
 * A row-major walk over the coordinates of the output dims that some operands' labels vary along
 * (plus any dims the caller needs, such as a channel dim), giving at each position the index of
 * each operand's stored atom (operands broadcast onto the output with trailing alignment).
 *
 * <p>Elements that differ only along the other dims read the same atoms, so a rule that does the
 * same idempotent joins for equal atoms can visit each position once instead of every element: the
 * first element of each position comes in the same order in a walk over all elements.
 */
public final class LabelWalk {
  private final int[] dims;
  private final long[] sizes;
  private final int[][] steps;
  private final long[] coord;
  private final int[] index;
  private final int positions;

  private LabelWalk(int[] dims, long[] sizes, int[][] steps, int positions) {
    this.dims = dims;
    this.sizes = sizes;
    this.steps = steps;
    this.coord = new long[dims.length];
    this.index = new int[steps.length];
    this.positions = positions;
  }

  /**
   * A walk over the dims of {@code out} along which any of {@code operands} varies, and {@code
   * extraDims}; no positions when {@code out} has no elements.
   */
  public static LabelWalk over(Shape out, List<Labels> operands, int... extraDims) {
    boolean[] walked = new boolean[out.rank()];
    for (int d : extraDims) {
      walked[d] = true;
    }
    for (Labels l : operands) {
      int offset = out.rank() - l.shape().rank();
      for (int d : l.varyingDims()) {
        if (l.shape().dim(d) > 1) {
          walked[d + offset] = true;
        }
      }
    }
    int n = 0;
    for (boolean w : walked) {
      n += w ? 1 : 0;
    }
    int[] dims = new int[n];
    long[] sizes = new long[n];
    long positions = 1;
    for (int d = 0, j = 0; d < walked.length; d++) {
      if (walked[d]) {
        dims[j] = d;
        sizes[j++] = out.dim(d);
        positions *= out.dim(d);
      }
    }
    int[][] steps = new int[operands.size()][];
    for (int k = 0; k < steps.length; k++) {
      steps[k] = steps(out, dims, operands.get(k));
    }
    return new LabelWalk(dims, sizes, steps, out.numel() == 0 ? 0 : (int) positions);
  }

  /** How operand {@code l}'s atom index changes when the walk steps along each walked dim. */
  private static int[] steps(Shape out, int[] walkedDims, Labels l) {
    int offset = out.rank() - l.shape().rank();
    int[] ld = l.varyingDims();
    int[] step = new int[walkedDims.length];
    int stride = 1;
    for (int v = ld.length - 1; v >= 0; v--) {
      long size = l.shape().dim(ld[v]);
      if (size > 1) {
        for (int j = 0; j < walkedDims.length; j++) {
          if (walkedDims[j] == ld[v] + offset) {
            step[j] = stride;
          }
        }
      }
      stride *= (int) size;
    }
    return step;
  }

  /** The walked dims of the output, ascending (a copy). */
  public int[] dims() {
    return dims.clone();
  }

  /** Number of positions: the product of the walked dims' sizes (0 for an empty output). */
  public int positions() {
    return positions;
  }

  /** At the current position, the index of operand {@code k}'s stored atom. */
  public int index(int k) {
    return index[k];
  }

  /** At the current position, the coordinate along the {@code j}-th walked dim. */
  public long coord(int j) {
    return coord[j];
  }

  /** Steps to the next position, row-major over the walked dims. */
  public void next() {
    for (int j = sizes.length - 1; j >= 0; j--) {
      if (++coord[j] < sizes[j]) {
        for (int k = 0; k < index.length; k++) {
          index[k] += steps[k][j];
        }
        return;
      }
      for (int k = 0; k < index.length; k++) {
        index[k] -= (int) (sizes[j] - 1) * steps[k][j];
      }
      coord[j] = 0;
    }
  }
}
