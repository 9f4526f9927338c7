package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * Sums of an elementwise quantity ({@code |w|^p}, {@code |w*g|}, ...) over the slices of a group,
 * computed with one libtorch reduction per (parameter, dim) instead of one op per channel.
 *
 * <p>A plain slice {@code param[.., index along dim, ..]} reads entry {@code index} of the
 * parameter's vector along {@code dim}. A grouped-conv input column ({@code convGroup >= 0}) is
 * {@code weight[rows of conv group g, column index]}, with rows taken in equal blocks along dim 0:
 * it reads entry {@code g * size(dim) + index} of a per-(conv group, column) vector. The number of
 * conv groups is {@link ImportanceContext#convGroups(String)} when given, else 1 + the largest
 * {@code convGroup} among the group's slices of that weight.
 */
final class SliceSums {
  /** One vector of per-index sums: a parameter along a dim, per conv group or not. */
  record Key(String param, int dim, boolean grouped) {}

  private final PruningGroup group;
  private final Predicate<ParamSlice> accept;
  private final ImportanceContext ctx;
  private final ImmutableMap<String, Integer> convGroups;
  private final ImmutableList<Key> keys;

  private SliceSums(PruningGroup group, Predicate<ParamSlice> accept, ImportanceContext ctx) {
    this.group = group;
    this.accept = accept;
    this.ctx = ctx;
    Map<String, Integer> maxGroup = new LinkedHashMap<>();
    Set<Key> k = new LinkedHashSet<>();
    for (Channel c : group.channels()) {
      for (ParamSlice s : c.slices()) {
        if (s.convGroup() >= 0) {
          maxGroup.merge(s.param(), s.convGroup(), Math::max);
        }
      }
      addKeys(c, k);
    }
    ImmutableMap.Builder<String, Integer> g = ImmutableMap.builder();
    maxGroup.forEach(
        (param, max) -> {
          int count = ctx.convGroups(param).orElse(max + 1);
          checkArgument(
              max < count,
              "slice of %s names conv group %s but the weight has %s groups",
              param,
              max,
              count);
          g.put(param, count);
        });
    this.convGroups = g.build();
    this.keys = ImmutableList.copyOf(k);
  }

  /** Adds the keys of the accepted slices of {@code c}; a run of one key is one lookup. */
  private void addKeys(Channel c, Set<Key> keys) {
    ParamSlice last = null;
    for (ParamSlice s : c.slices()) {
      if (!sameRun(last, s) && accept.test(s)) {
        keys.add(keyOf(s));
      }
      last = s;
    }
  }

  /**
   * Whether two slices of a channel read the same key in the same role, so that the criterion's
   * acceptance (which depends on the parameter, dim and role, not the index) is the same.
   */
  private static boolean sameRun(ParamSlice last, ParamSlice s) {
    return last != null
        && last.param().equals(s.param())
        && last.dim() == s.dim()
        && last.role() == s.role()
        && (last.convGroup() >= 0) == (s.convGroup() >= 0);
  }

  /** The sums over the slices of {@code group} that {@code accept} lets through. */
  static SliceSums of(PruningGroup group, ImportanceContext ctx, Predicate<ParamSlice> accept) {
    return new SliceSums(group, accept, ctx);
  }

  /** The vectors the accepted slices read from, in first-seen order. */
  ImmutableList<Key> keys() {
    return keys;
  }

  boolean accepts(ParamSlice s) {
    return accept.test(s);
  }

  static Key keyOf(ParamSlice s) {
    return new Key(s.param(), s.dim(), s.convGroup() >= 0);
  }

  /** Number of conv groups of a weight with grouped slices. */
  int convGroups(String param) {
    Integer g = convGroups.get(param);
    checkArgument(g != null, "%s has no grouped-conv slices in group %s", param, group.id());
    return g;
  }

  /** Entry of the slice in its key's vector. */
  long position(ParamSlice s) {
    Tensor t = ctx.tensor(s.param());
    checkArgument(s.dim() < t.dim(), "slice %s: %s has only %s dims", s, s.param(), t.dim());
    long n = t.size(s.dim());
    checkArgument(s.index() < n, "slice %s: %s has size %s along dim %s", s, s.param(), n, s.dim());
    return s.convGroup() >= 0 ? s.convGroup() * n + s.index() : s.index();
  }

  /**
   * For every key, the elementwise quantity summed over each entry's slice, as Java arrays. The
   * function gets a parameter name and returns a tensor of that parameter's shape; it runs once per
   * parameter, under no-grad, and its temporaries are freed on return.
   */
  Map<Key, double[]> vectors(Function<String, Tensor> elementwise) {
    return vectors(null, elementwise);
  }

  /**
   * {@link #vectors(Function)}, shared between the groups scored with the same context when {@code
   * quantity} is not null: it names what {@code elementwise} computes (equal names, equal tensors),
   * and a parameter's plain vectors are then computed once for all groups, along every dim an
   * accepted slice of any group takes.
   */
  Map<Key, double[]> vectors(Object quantity, Function<String, Tensor> elementwise) {
    SliceVectorCache cache = quantity == null ? null : ctx.sliceVectorCache();
    Map<Key, double[]> shared = cache == null ? null : cache.vectors(quantity);
    Map<Key, double[]> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Map<String, Tensor> values = new HashMap<>();
      for (Key k : keys) {
        if (shared != null && shared.containsKey(k)) {
          out.put(k, shared.get(k));
          continue;
        }
        Tensor e = values.computeIfAbsent(k.param(), elementwise);
        checkDim(k, e);
        if (k.grouped()) {
          out.put(
              k, HostVectors.toDoubles(groupedSums(k.param(), e, k.dim(), convGroups(k.param()))));
        } else if (shared == null) {
          out.put(k, HostVectors.toDoubles(sums(e, k.dim())));
        } else {
          for (int dim : cache.dims(k.param(), k.dim(), accept)) {
            Key other = new Key(k.param(), dim, false);
            checkDim(other, e);
            shared.put(other, HostVectors.toDoubles(sums(e, dim)));
          }
          out.put(k, shared.get(k));
        }
      }
    }
    return out;
  }

  private static void checkDim(Key k, Tensor e) {
    checkArgument(
        k.dim() < e.dim(),
        "%s has only %s dims, a slice takes dim %s",
        k.param(),
        e.dim(),
        k.dim());
  }

  /**
   * For every (ungrouped) key, a per-index vector the criterion computes itself from the whole
   * parameter, for quantities that are not sums of elements (FPGM's distances between filters). The
   * function returns one entry per index along the key's dim; it runs under no-grad and its
   * temporaries are freed on return.
   */
  Map<Key, double[]> perIndex(Function<Key, Tensor> vector) {
    Map<Key, double[]> out = new LinkedHashMap<>();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      for (Key k : keys) {
        checkArgument(
            !k.grouped(),
            "%s: per-index vectors of grouped-conv columns are not " + "supported",
            k.param());
        Tensor v = vector.apply(k);
        long n = ctx.tensor(k.param()).size(k.dim());
        checkArgument(
            v.dim() == 1 && v.size(0) == n,
            "%s along dim %s: expected %s entries, got " + "shape %s",
            k.param(),
            k.dim(),
            n,
            Arrays.toString(v.shape()));
        out.put(k, HostVectors.toDoubles(v));
      }
    }
    return out;
  }

  /**
   * Per channel, one term per key its accepted slices read: the sum of their entries (in slice
   * order). Entries are found from the vectors' lengths, without asking libtorch for sizes.
   */
  List<ChannelTerms> terms(Map<Key, double[]> vectors) {
    ImmutableList.Builder<ChannelTerms> out = ImmutableList.builder();
    Key[] seen = new Key[8];
    double[] sums = new double[8];
    for (Channel c : group.channels()) {
      int n = 0;
      int first = -1;
      ParamSlice last = null;
      boolean accepted = false;
      for (ParamSlice s : c.slices()) {
        accepted = sameRun(last, s) ? accepted : accept.test(s);
        last = s;
        if (!accepted) {
          continue;
        }
        Key k = keyOf(s);
        int at = indexOf(seen, n, k);
        double v = entry(vectors.get(k), k, s);
        if (at < 0) {
          if (n == seen.length) {
            seen = Arrays.copyOf(seen, 2 * n);
            sums = Arrays.copyOf(sums, 2 * n);
          }
          at = n++;
          seen[at] = k;
          sums[at] = v;
        } else {
          sums[at] += v;
        }
        if (first < 0 && s.role() == SliceRole.OUTPUT) {
          first = at;
        }
      }
      out.add(new ChannelTerms(Arrays.copyOf(sums, n), first));
    }
    return out.build();
  }

  private static int indexOf(Key[] keys, int n, Key k) {
    for (int i = 0; i < n; i++) {
      if (keys[i].equals(k)) {
        return i;
      }
    }
    return -1;
  }

  /** The slice's entry of its key's vector (whose length is the size along dim, per conv group). */
  private double entry(double[] vector, Key k, ParamSlice s) {
    long n = k.grouped() ? vector.length / convGroups(k.param()) : vector.length;
    checkArgument(s.index() < n, "slice %s: %s has size %s along dim %s", s, s.param(), n, s.dim());
    return vector[(int) (s.convGroup() >= 0 ? s.convGroup() * n + s.index() : s.index())];
  }

  /** Whether any slice of the group is accepted. */
  boolean isEmpty() {
    return keys.isEmpty();
  }

  /** Sum over every dim but {@code dim}: one entry per index along it. */
  private static Tensor sums(Tensor e, int dim) {
    if (e.dim() == 1) {
      return e;
    }
    return e.movedim(dim, 0).reshape(e.size(dim), -1).sum(1L);
  }

  /** Sum over the rows of each conv group (dim 0 blocks) and every dim but {@code dim}. */
  private static Tensor groupedSums(String param, Tensor e, int dim, int groups) {
    checkArgument(
        dim >= 1, "grouped slices of %s must take a dim other than 0 (rows), got %s", param, dim);
    long rows = e.size(0);
    checkArgument(
        rows % groups == 0,
        "%s has %s rows, not divisible into %s conv groups",
        param,
        rows,
        groups);
    long n = e.size(dim);
    return e.movedim(dim, 1).reshape(groups, rows / groups, n, -1).sum(3L).sum(1L).reshape(-1);
  }

  /**
   * One channel's terms, one per (parameter, dim) it touches, and the index of the term of its
   * first counted OUTPUT slice (-1 if none).
   */
  record ChannelTerms(double[] values, int first) {}
}
