package io.jprune.pruner.graph.label;

import java.util.Arrays;

/**
 * Union-find over atoms: the smallest sets of channels (elements of activations, slices of
 * parameters) that can only be removed together. Atom {@link #FIXED} is the set that can never be
 * removed (model inputs and outputs, constants); joining it makes an atom unprunable.
 *
 * <p>Besides membership, an atom carries why pruning it is not exact (it passes a normalisation
 * over channels, a non-zero-preserving op, ...): the equivalence oracle needs that to know when
 * "pruned equals masked" must hold.
 */
public final class AtomTable {
  /** The atom of everything that must stay. */
  public static final int FIXED = 0;

  /**
   * Label of an element that belongs to no atom (e.g. attention scores): its removal is derived.
   */
  public static final int DERIVED = -1;

  private int[] parent = new int[1024];
  private int size;

  /** How many times two sets were joined: while it stays, every find gives the same root. */
  private long links;

  /** Why removing a root atom is not exact, by atom id (null when it is); only roots hold one. */
  private String[] inexact = new String[1024];

  /** A table holding only {@link #FIXED}. */
  public AtomTable() {
    parent[0] = 0;
    size = 1;
  }

  /** A new singleton atom. */
  public int fresh() {
    if (size == parent.length) {
      parent = Arrays.copyOf(parent, size * 2);
      inexact = Arrays.copyOf(inexact, size * 2);
    }
    parent[size] = size;
    return size++;
  }

  /** How many atoms there are: ids run from 0 below this. */
  int size() {
    return size;
  }

  /** Representative of an atom; {@link #DERIVED} stays derived. */
  public int find(int a) {
    if (a < 0) {
      return a;
    }
    int root = a;
    while (parent[root] != root) {
      root = parent[root];
    }
    while (parent[a] != root) {
      int next = parent[a];
      parent[a] = root;
      a = next;
    }
    return root;
  }

  /** Merges two atoms; FIXED always stays the representative of its set. */
  public int union(int a, int b) {
    if (a < 0 || b < 0) {
      return a < 0 ? find(b) : find(a);
    }
    int ra = find(a);
    int rb = find(b);
    if (ra == rb) {
      return ra;
    }
    int root = ra == FIXED ? ra : rb == FIXED ? rb : Math.min(ra, rb);
    int child = root == ra ? rb : ra;
    parent[child] = root;
    links++;
    String why = inexact[child];
    if (why != null) {
      inexact[child] = null;
      if (inexact[root] == null) {
        inexact[root] = why;
      }
    }
    return root;
  }

  /**
   * How many times two sets were joined so far. Rules that repeat a join for equal inputs skip the
   * repeats while this does not move: the same joins on the same sets change nothing.
   */
  public long links() {
    return links;
  }

  /** Makes the atom unprunable (joins it to FIXED). */
  public void fix(int a) {
    union(a, FIXED);
  }

  /** Whether the atom is FIXED or joined to it. */
  public boolean isFixed(int a) {
    return a >= 0 && find(a) == FIXED;
  }

  /** Records that removing this atom changes what kept channels compute (first reason wins). */
  public void markInexact(int a, String why) {
    if (a > FIXED) {
      int root = find(a);
      if (inexact[root] == null) {
        inexact[root] = why;
      }
    }
  }

  /** Why removing the atom is not exact, or null when masked and pruned outputs must agree. */
  public String inexactReason(int a) {
    return a < 0 ? null : inexact[find(a)];
  }
}
