package io.jprune.pruner.surgery;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.cut.OwnedLongArrayRef;
import io.jprune.pruner.cut.SitePatch;
import io.jprune.tracer.site.ArgumentRewrite;
import io.jprune.tracer.site.ModelRewrites;
import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.Sites;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.TensorBase;

/**
 * The call-site argument rewrites of one pruned model (see {@link ModelRewrites}: bound to the
 * model's root, released with it; another instance of the class runs through the same sites
 * unchanged). A site runs for every module sharing its code (12 attention blocks), so each site
 * holds a flat list of entries, one per traced call that needs new arguments: a call is recognised
 * by its first tensor input's pruned shape (on every dim pruning changed at the site) and by the
 * traced constants it passes. Every entry maps the model's own constants (recorded by the tracer
 * even when a rewrite replaced them) straight to the latest values.
 */
public final class SiteRewrites {
  private final ModelRewrites table;

  private SiteRewrites(ModelRewrites table) {
    this.table = table;
  }

  /**
   * The rewrites of {@code root}'s model, empty until a surgery installs some. Its modules are the
   * root and every module registered under it when this is first called.
   */
  public static SiteRewrites of(Module root) {
    checkNotNull(root, "root");
    return new SiteRewrites(Sites.rewritesFor(root, ModuleAddresses.of(root)));
  }

  /** Every entry installed for {@code root}'s model, per site (empty for a model never pruned). */
  public static Map<SiteKey, List<SitePatch>> installed(Module root) {
    return Sites.rewritesOf(root).map(t -> new SiteRewrites(t).installed()).orElse(Map.of());
  }

  /**
   * Adds the entries of one surgery, ahead of the earlier ones: a call an earlier step rewrote was
   * traced with the rewritten arguments and recorded its own constants too, so its new entry maps
   * those constants straight to the new values and, matching first, replaces the old one.
   */
  public void install(List<SitePatch> patches) {
    Map<SiteKey, List<SitePatch>> bySite = new LinkedHashMap<>();
    for (SitePatch p : patches) {
      if (!p.patches().isEmpty()) {
        bySite.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
      }
    }
    synchronized (table) {
      for (Map.Entry<SiteKey, List<SitePatch>> e : bySite.entrySet()) {
        List<SitePatch> next = new ArrayList<>(e.getValue());
        next.addAll(entriesAt(e.getKey()));
        table.put(e.getKey(), new PatchedSite(next));
      }
    }
  }

  /** This model's rewrites as they are, to put back with {@link #restore} if surgery fails. */
  public Map<SiteKey, ArgumentRewrite> snapshot() {
    return table.all();
  }

  /** Puts back a {@link #snapshot} of this model; other models' rewrites are not touched. */
  public void restore(Map<SiteKey, ArgumentRewrite> snapshot) {
    table.replaceAll(snapshot);
  }

  /** Every installed entry of this model, per site. */
  public Map<SiteKey, List<SitePatch>> installed() {
    Map<SiteKey, List<SitePatch>> copy = new LinkedHashMap<>();
    table.all().forEach((k, v) -> copy.put(k, ((PatchedSite) v).entries()));
    return copy;
  }

  private List<SitePatch> entriesAt(SiteKey key) {
    return table.get(key).map(r -> ((PatchedSite) r).entries()).orElse(List.of());
  }

  /** The rewrite of one site: its entries, newest first, the first matching call wins. */
  private record PatchedSite(List<SitePatch> entries, boolean[] changedDims)
      implements ArgumentRewrite {
    PatchedSite(List<SitePatch> entries) {
      this(List.copyOf(entries), SiteRewrites.prunedDims(entries));
    }

    @Override
    public Object[] apply(Object[] args) {
      long[] shape = firstTensorShape(args);
      for (SitePatch p : entries) {
        if (!p.patches().isEmpty()
            && matches(p, shape, changedDims)
            && passesTracedValues(p, args)) {
          return patch(p, args);
        }
      }
      return args;
    }
  }

  /**
   * A call matches when its input has the entry's pruned size in every dim pruning changed at this
   * site (in any of its entries: one block may keep all heads while another loses some); other
   * dims, such as the batch, may differ from the traced run.
   */
  private static boolean matches(SitePatch p, long[] shape, boolean[] prunedDims) {
    if (shape == null) {
      return true;
    }
    ImmutableLongArray pruned = p.prunedShape();
    if (shape.length != pruned.length()) {
      return false;
    }
    for (int d = 0; d < shape.length; d++) {
      if (d < prunedDims.length && prunedDims[d] && shape[d] != pruned.get(d)) {
        return false;
      }
    }
    return true;
  }

  private static boolean[] prunedDims(List<SitePatch> entries) {
    int rank = entries.stream().mapToInt(p -> p.prunedShape().length()).max().orElse(0);
    boolean[] changed = new boolean[rank];
    for (SitePatch p : entries) {
      for (int d = 0; d < p.prunedShape().length() && d < p.originalShape().length(); d++) {
        changed[d] |= p.originalShape().get(d) != p.prunedShape().get(d);
      }
    }
    return changed;
  }

  /**
   * Whether the call passes the traced values this patch changes: two modules sharing the code can
   * reach it with the same pruned input shape but different constants (head widths).
   */
  private static boolean passesTracedValues(SitePatch p, Object[] args) {
    int shift = p.instance() ? 1 : 0;
    for (ArgPatch a : p.patches()) {
      long[] now = longs(args[a.argIndex() + shift]);
      if (now == null || now.length != a.before().length()) {
        return false;
      }
      for (int i = 0; i < now.length; i++) {
        if (a.before().get(i) != a.after().get(i) && now[i] != a.before().get(i)) {
          return false;
        }
      }
    }
    return true;
  }

  private static long[] longs(Object value) {
    if (value instanceof long[] arr) {
      return arr;
    }
    if (value instanceof Long l) {
      return new long[] {l};
    }
    if (value instanceof Integer n) {
      return new long[] {n};
    }
    if (value instanceof LongArrayRef ref) {
      long[] arr = new long[(int) ref.size()];
      for (int i = 0; i < arr.length; i++) {
        arr[i] = ref.get(i);
      }
      return arr;
    }
    if (value instanceof LongVector vec) {
      return vec.get();
    }
    return null;
  }

  private static long[] firstTensorShape(Object[] args) {
    for (Object a : args) {
      if (a instanceof TensorBase t) {
        long[] s = new long[(int) t.dim()];
        for (int d = 0; d < s.length; d++) {
          s[d] = t.size(d);
        }
        return s;
      }
    }
    return null;
  }

  private static Object[] patch(SitePatch p, Object[] args) {
    Object[] out = args.clone();
    int shift = p.instance() ? 1 : 0;
    for (ArgPatch a : p.patches()) {
      int i = a.argIndex() + shift;
      out[i] = patchValue(out[i], a);
    }
    return out;
  }

  private static Object patchValue(Object value, ArgPatch a) {
    if (value instanceof long[] arr) {
      return patchArray(arr, a);
    }
    if (value instanceof LongArrayRef ref) {
      return OwnedLongArrayRef.of(patchArray(longs(ref), a));
    }
    if (value instanceof LongVector vec) {
      return new LongVector(patchArray(vec.get(), a));
    }
    if (value instanceof Long l) {
      return l == a.before().get(0) ? a.after().get(0) : l;
    }
    if (value instanceof Integer n) {
      return n == a.before().get(0) ? (int) a.after().get(0) : n;
    }
    return value;
  }

  private static long[] patchArray(long[] arr, ArgPatch a) {
    if (arr.length != a.before().length()) {
      return arr;
    }
    long[] now = arr.clone();
    for (int i = 0; i < now.length; i++) {
      if (now[i] == a.before().get(i)) {
        now[i] = a.after().get(i);
      }
    }
    return now;
  }
}
