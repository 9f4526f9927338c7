package io.jprune.pruner.graph.label;

import io.jprune.pruner.group.SliceRole;
import io.jprune.tracer.TensorRef;
import java.util.Map;

/**
 * Parameters used directly by ops (cls_token, pos_embed, layer-scale gammas) start with one atom
 * per element; after the label pass, a dim along which every slab is a single atom is a channel dim
 * of the parameter. Elements no such dim covers cannot be sliced out, so they stay.
 */
public final class BareParameters {
  private BareParameters() {}

  /**
   * Binds the slices of the bare parameters the pass met to their atoms, once every call is
   * labelled.
   */
  public static void bind(LabelPass pass) {
    for (Map.Entry<String, TensorRef> e : pass.bareParameters().entrySet()) {
      String name = e.getKey();
      TensorRef t = e.getValue();
      Shape s = Shape.of(t.shape());
      int[] roots = pass.labels(t).clone();
      for (int i = 0; i < roots.length; i++) {
        roots[i] = pass.atoms().find(roots[i]);
      }
      boolean[] covered = new boolean[roots.length];
      for (int d = 0; d < s.rank(); d++) {
        int[] slabAtom = uniformSlabs(s, roots, d);
        if (slabAtom == null) {
          continue;
        }
        for (int j = 0; j < slabAtom.length; j++) {
          if (slabAtom[j] > AtomTable.FIXED) {
            pass.bind(name, d, j, slabAtom[j], SliceRole.OUTPUT);
          }
        }
        for (int i = 0; i < roots.length; i++) {
          covered[i] = true;
        }
        break; // one channel dim per parameter
      }
      for (int i = 0; i < roots.length; i++) {
        if (!covered[i]) {
          pass.atoms().fix(roots[i]);
        }
      }
    }
  }

  /** The atom of each slab along {@code dim}, or null when some slab mixes atoms. */
  private static int[] uniformSlabs(Shape s, int[] roots, int dim) {
    if (s.dim(dim) < 2 && s.rank() > 1) {
      return null;
    }
    int[] atom = new int[(int) s.dim(dim)];
    java.util.Arrays.fill(atom, Integer.MIN_VALUE);
    for (int i = 0; i < roots.length; i++) {
      int j = (int) s.coord(i, dim);
      if (atom[j] == Integer.MIN_VALUE) {
        atom[j] = roots[i];
      } else if (atom[j] != roots[i]) {
        return null;
      }
    }
    return atom;
  }
}
