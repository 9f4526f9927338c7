package io.jprune.pruner.graph.label;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The atom labels of one traced tensor, stored only along the dims they vary along: a conv
 * activation {@code [N, C, H, W]} holds one atom per channel, not one per element. The labels of
 * element {@code i} are {@code atom(indexOf(i))}, where the index runs row-major over the varying
 * dims only. A tensor whose labels vary along every dim is stored densely, one atom per element.
 *
 * <p>Immutable. {@link #dense()} materialises the per-element view once, for rules that walk
 * elements; {@link #of} compresses such a per-element result back when it varies along fewer dims.
 */
public final class Labels {
  private final Shape shape;
  private final int[] dims;
  private final int[] atoms;
  private final int[] flatStrides;
  private volatile int[] dense;

  private Labels(Shape shape, int[] dims, int[] atoms) {
    this.shape = shape;
    this.dims = dims;
    this.atoms = atoms;
    this.flatStrides = new int[dims.length];
    for (int j = 0; j < dims.length; j++) {
      flatStrides[j] = (int) shape.stride(dims[j]);
    }
  }

  /** Every element of a tensor of this shape has the same atom. */
  public static Labels constant(Shape shape, int atom) {
    if (shape.numel() == 0) {
      return new Labels(shape, allDims(shape), new int[0]);
    }
    return new Labels(shape, new int[0], new int[] {atom});
  }

  /** Every element is {@link AtomTable#FIXED}: kept whatever is removed. */
  public static Labels fixed(Shape shape) {
    return constant(shape, AtomTable.FIXED);
  }

  /** Index {@code c} along {@code dim} is atom {@code atoms[c]}, whatever the other coordinates. */
  public static Labels along(Shape shape, int dim, int[] atoms) {
    checkArgument(
        atoms.length == shape.dim(dim),
        "%s atoms for dim %s of shape %s",
        atoms.length,
        dim,
        shape);
    return factored(shape, new int[] {dim}, atoms.clone());
  }

  /**
   * Labels that vary along {@code dims} (ascending) only: {@code atoms} holds one atom per index
   * over those dims, row-major. The array is taken, not copied. Dims along which the atoms do not
   * vary after all are dropped, so {@link #varyingDims} is exact.
   */
  public static Labels factored(Shape shape, int[] dims, int[] atoms) {
    long n = 1;
    for (int d : dims) {
      n *= shape.dim(d);
    }
    checkArgument(n == atoms.length, "%s atoms for dims %s of %s", atoms.length, dims, shape);
    if (shape.numel() == 0) {
      return new Labels(shape, allDims(shape), new int[0]);
    }
    Shape compact = new Shape(sizes(shape, dims));
    int[] varying = varyingDims(compact, atoms);
    if (varying.length == dims.length) {
      return new Labels(shape, dims.clone(), atoms);
    }
    int[] kept = new int[varying.length];
    for (int j = 0; j < kept.length; j++) {
      kept[j] = dims[varying[j]];
    }
    return new Labels(shape, kept, gather(compact, varying, atoms));
  }

  private static long[] sizes(Shape shape, int[] dims) {
    long[] sizes = new long[dims.length];
    for (int j = 0; j < dims.length; j++) {
      sizes[j] = shape.dim(dims[j]);
    }
    return sizes;
  }

  /**
   * Labels given per element (row-major; the array is taken, not copied), stored along the dims
   * they vary along: a dim along which every slab equals its neighbour is dropped.
   */
  public static Labels of(Shape shape, int[] perElement) {
    checkArgument(
        perElement.length == shape.numel(),
        "%s labels for %s elements",
        perElement.length,
        shape.numel());
    int[] varying = varyingDims(shape, perElement);
    if (varying.length == shape.rank() || shape.numel() == 0) {
      Labels l = new Labels(shape, allDims(shape), perElement);
      l.dense = perElement;
      return l;
    }
    Labels l = new Labels(shape, varying, gather(shape, varying, perElement));
    l.dense = perElement;
    return l;
  }

  private static int[] allDims(Shape shape) {
    int[] d = new int[shape.rank()];
    for (int i = 0; i < d.length; i++) {
      d[i] = i;
    }
    return d;
  }

  /** Dims along which some slab differs from the previous one (size-1 dims never vary). */
  private static int[] varyingDims(Shape shape, int[] l) {
    int[] out = new int[shape.rank()];
    int n = 0;
    for (int d = 0; d < shape.rank(); d++) {
      if (shape.dim(d) > 1 && variesAlong(shape, l, d)) {
        out[n++] = d;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static boolean variesAlong(Shape shape, int[] l, int d) {
    int stride = (int) shape.stride(d);
    int block = stride * (int) shape.dim(d);
    for (int base = 0; base < l.length; base += block) {
      for (int from = base + stride; from < base + block; from += stride) {
        if (!Arrays.equals(l, from, from + stride, l, from - stride, from)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The atom at each index over {@code dims}: the element with 0 along the other dims. */
  private static int[] gather(Shape shape, int[] dims, int[] l) {
    LabelWalk w = LabelWalk.over(shape, java.util.List.of(), dims);
    int[] atoms = new int[w.positions()];
    for (int j = 0; j < atoms.length; j++, w.next()) {
      long flat = 0;
      for (int k = 0; k < dims.length; k++) {
        flat += w.coord(k) * shape.stride(dims[k]);
      }
      atoms[j] = l[(int) flat];
    }
    return atoms;
  }

  /** The shape of the labelled tensor. */
  public Shape shape() {
    return shape;
  }

  /** The dims the labels vary along, ascending (a copy). */
  public int[] varyingDims() {
    return dims.clone();
  }

  /** Whether the labels vary along {@code dim}. */
  public boolean variesAlong(int dim) {
    for (int d : dims) {
      if (d == dim) {
        return true;
      }
    }
    return false;
  }

  /** Number of stored atoms: the product of the sizes of the varying dims. */
  public int size() {
    long n = 1;
    for (int d : dims) {
      n *= shape.dim(d);
    }
    return (int) n;
  }

  /**
   * For each dim of the shape, how far the index over the varying dims moves per step along it: 0
   * along the dims the labels do not vary along. The atom of coordinates {@code c} is {@code
   * atom(sum of c[d] * atomStrides()[d])}.
   */
  public int[] atomStrides() {
    int[] out = new int[shape.rank()];
    int stride = 1;
    for (int j = dims.length - 1; j >= 0; j--) {
      out[dims[j]] = stride;
      stride *= (int) shape.dim(dims[j]);
    }
    return out;
  }

  /** The atom at index {@code j} over the varying dims (row-major). */
  public int atom(int j) {
    return atoms[j];
  }

  /** The atom of flat element {@code flat} (row-major over the whole shape). */
  public int at(int flat) {
    return atoms[indexOf(flat)];
  }

  /** The index over the varying dims of flat element {@code flat}. */
  public int indexOf(int flat) {
    int j = 0;
    for (int k = 0; k < dims.length; k++) {
      j = j * (int) shape.dim(dims[k]) + (int) shape.coord(flat, dims[k]);
    }
    return j;
  }

  /** The labels with every stored atom replaced by {@code f} of it. */
  public Labels map(java.util.function.IntUnaryOperator f) {
    int[] out = new int[atoms.length];
    for (int j = 0; j < out.length; j++) {
      out[j] = j > 0 && atoms[j] == atoms[j - 1] ? out[j - 1] : f.applyAsInt(atoms[j]);
    }
    return factored(shape, dims, out);
  }

  /**
   * One atom per element, row-major, made once and shared: callers must not change it.
   *
   * <p>Rules that walk elements (layout replays, contractions) read this view.
   */
  public int[] dense() {
    int[] d = dense;
    if (d == null) {
      d = materialise();
      dense = d;
    }
    return d;
  }

  private int[] materialise() {
    int[] out = new int[shape.numel()];
    if (dims.length == 0) {
      Arrays.fill(out, atoms[0]);
      return out;
    }
    int run = runLength();
    int block = blockLength();
    LabelWalk w = blockWalk();
    for (int p = 0, from = 0; p < w.positions(); p++, from += run, w.next()) {
      Arrays.fill(out, from, from + run, atoms[w.index(0)]);
    }
    for (int from = block; from < out.length; from += block) {
      System.arraycopy(out, 0, out, from, block); // the dims before the first varying one
    }
    return out;
  }

  /**
   * Elements that follow the last varying dim share one atom: runs of this length (row-major) are
   * labelled alike. The whole tensor when nothing varies.
   */
  public int runLength() {
    return dims.length == 0 ? shape.numel() : flatStrides[dims.length - 1];
  }

  /**
   * The elements from the first varying dim on: the labels are blocks of this length (row-major),
   * repeated along the dims before it. The whole tensor when nothing varies.
   */
  public int blockLength() {
    return dims.length == 0 ? shape.numel() : flatStrides[0] * (int) shape.dim(dims[0]);
  }

  /**
   * A walk over the dims from the first to the last varying one: its position {@code p} is the run
   * of flat elements {@code [p * runLength(), (p + 1) * runLength())} of the first block, labelled
   * {@code atom(walk.index(0))}.
   */
  public LabelWalk blockWalk() {
    int first = dims.length == 0 ? 0 : dims[0];
    int last = dims.length == 0 ? -1 : dims[dims.length - 1];
    int[] walked = new int[last - first + 1];
    for (int d = first; d <= last; d++) {
      walked[d - first] = d;
    }
    return LabelWalk.over(shape, java.util.List.of(this), walked);
  }

  @Override
  public String toString() {
    return "Labels" + shape + " along " + Arrays.toString(dims) + ": " + atoms.length + " atoms";
  }
}
