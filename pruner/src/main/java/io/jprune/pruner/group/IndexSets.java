package io.jprune.pruner.group;

import java.util.ArrayList;
import java.util.List;

/**
 * Disjoint sets over the indices {@code 0..n-1} (union-find), for grouping channels and slots. A
 * union keeps the smaller root, so every set's root is its smallest member: {@link #sets} then
 * comes out in the order of each set's smallest member without sorting.
 */
public final class IndexSets {
  private final int[] parent;

  /** {@code n} singletons. */
  public IndexSets(int n) {
    parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
  }

  /** Joins the sets of {@code a} and {@code b}. */
  public void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** The root of {@code a}'s set: its smallest member. */
  public int find(int a) {
    while (parent[a] != a) {
      parent[a] = parent[parent[a]]; // path halving: the sets stay, the chains shorten
      a = parent[a];
    }
    return a;
  }

  /** How many sets there are. */
  public int count() {
    int roots = 0;
    for (int i = 0; i < parent.length; i++) {
      if (find(i) == i) {
        roots++;
      }
    }
    return roots;
  }

  /** The sets, ordered by their smallest member, each in index order. */
  public List<int[]> sets() {
    int n = parent.length;
    int[] setOf = new int[n];
    int[] sizes = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      int root = find(i);
      setOf[i] = root == i ? count++ : setOf[root]; // the root, smallest, was seen first
      sizes[setOf[i]]++;
    }
    List<int[]> sets = new ArrayList<>(count);
    for (int s = 0; s < count; s++) {
      sets.add(new int[sizes[s]]);
    }
    int[] filled = new int[count];
    for (int i = 0; i < n; i++) {
      sets.get(setOf[i])[filled[setOf[i]]++] = i;
    }
    return sets;
  }
}
