package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * How the slices of a channel read the keys: per slice the index of its key in {@link #keys} and
   * of its term among the channel's terms (both -1 where the slice is not accepted), the number of
   * terms, and the term of the first accepted OUTPUT slice (-1 if none). Consecutive channels whose
   * slices differ only in index and conv group share one layout, and a group's channels mostly do:
   * keys are looked up and acceptance tested once per layout instead of once per slice (for ViT-S
   * the per-slice lookups cost more than the libtorch reductions).
   */
  private record Layout(int[] key, int[] term, int terms, int first) {}

  private final PruningGroup group;
  private final Predicate<ParamSlice> accept;
  private final ImportanceContext ctx;
  private final ImmutableMap<String, Integer> convGroups;
  private final ImmutableList<Key> keys;
  private final Layout[] layouts;

  private SliceSums(PruningGroup group, Predicate<ParamSlice> accept, ImportanceContext ctx) {
    this.group = group;
    this.accept = accept;
    this.ctx = ctx;
    Map<String, Integer> maxGroup = new LinkedHashMap<>();
    Map<Key, Integer> keyIds = new LinkedHashMap<>();
    this.layouts = new Layout[group.size()];
    List<ParamSlice> last = null;
    for (int i = 0; i < layouts.length; i++) {
      List<ParamSlice> slices = group.channel(i).slices();
      for (ParamSlice s : slices) {
        if (s.convGroup() >= 0) {
          maxGroup.merge(s.param(), s.convGroup(), Math::max);
        }
      }
      if (last != null && sameLayout(last, slices)) {
        layouts[i] = layouts[i - 1];
      } else {
        layouts[i] = layoutOf(slices, keyIds);
        last = slices;
      }
    }
    this.convGroups = convGroupCounts(maxGroup);
    this.keys = ImmutableList.copyOf(keyIds.keySet());
  }

  private ImmutableMap<String, Integer> convGroupCounts(Map<String, Integer> maxGroup) {
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
    return g.build();
  }

  /**
   * The layout of one channel's slices, adding the keys they read to {@code keyIds} (in first-seen
   * order). Acceptance is tested once per run of slices that read the same key in the same role.
   */
  private Layout layoutOf(List<ParamSlice> slices, Map<Key, Integer> keyIds) {
    int[] key = new int[slices.size()];
    int[] term = new int[slices.size()];
    int[] termKeys = new int[slices.size()];
    int terms = 0;
    int first = -1;
    ParamSlice last = null;
    boolean accepted = false;
    for (int j = 0; j < key.length; j++) {
      ParamSlice s = slices.get(j);
      accepted = sameRun(last, s) ? accepted : accept.test(s);
      last = s;
      key[j] = accepted ? keyIds.computeIfAbsent(keyOf(s), k -> keyIds.size()) : -1;
      int at = 0;
      while (accepted && at < terms && termKeys[at] != key[j]) {
        at++;
      }
      if (accepted && at == terms) {
        termKeys[terms++] = key[j];
      }
      term[j] = accepted ? at : -1;
      if (accepted && first < 0 && s.role() == SliceRole.OUTPUT) {
        first = at;
      }
    }
    return new Layout(key, term, terms, first);
  }

  /** Whether two channels' slices differ at most in index and conv group (not in having one). */
  private static boolean sameLayout(List<ParamSlice> a, List<ParamSlice> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int j = 0; j < a.size(); j++) {
      if (!sameRun(a.get(j), b.get(j))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether two slices read the same key in the same role, so that the criterion's acceptance
   * (which depends on the parameter, dim and role, not the index) is the same.
   */
  private static boolean sameRun(ParamSlice last, ParamSlice s) {
    return last != null
        && (last.param() == s.param() || last.param().equals(s.param()))
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
    return vectors(quantity, (param, scratch) -> elementwise.apply(param));
  }

  /**
   * An elementwise quantity of a parameter (a tensor of its shape), which may be written into
   * {@code scratch}: memory reused from parameter to parameter, whose contents are only needed
   * until the next parameter's quantity is asked for.
   */
  interface Elementwise {
    Tensor of(String param, Scratch scratch);
  }

  /**
   * {@link #vectors(Object, Function)} for a quantity that can be written into reused memory. Keys
   * are reduced one parameter at a time, so at most one parameter's quantity is held at once.
   */
  Map<Key, double[]> vectors(Object quantity, Elementwise elementwise) {
    SliceVectorCache cache = quantity == null ? null : ctx.sliceVectorCache();
    Map<Key, double[]> shared = cache == null ? null : cache.vectors(quantity);
    Map<String, List<Key>> missing = new LinkedHashMap<>();
    long largest = 0;
    for (Key k : keys) {
      if (shared == null || !shared.containsKey(k)) {
        missing.computeIfAbsent(k.param(), p -> new ArrayList<>(2)).add(k);
        largest = Math.max(largest, ctx.tensor(k.param()).numel());
      }
    }
    Map<Key, double[]> computed = new HashMap<>();
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      Scratch scratch = new Scratch(largest);
      for (Map.Entry<String, List<Key>> p : missing.entrySet()) {
        Tensor e = elementwise.of(p.getKey(), scratch);
        for (Key k : p.getValue()) {
          reduce(k, e, cache, shared, computed);
        }
      }
    }
    Map<Key, double[]> out = new LinkedHashMap<>();
    for (Key k : keys) {
      out.put(k, computed.containsKey(k) ? computed.get(k) : shared.get(k));
    }
    return out;
  }

  /**
   * The vector of one key from its parameter's quantity {@code e}, into {@code computed}; with a
   * cache, a plain key's parameter is reduced along every dim some group takes, into {@code
   * shared}.
   */
  private void reduce(
      Key k,
      Tensor e,
      SliceVectorCache cache,
      Map<Key, double[]> shared,
      Map<Key, double[]> computed) {
    checkDim(k, e);
    if (k.grouped()) {
      computed.put(
          k, HostVectors.toDoubles(groupedSums(k.param(), e, k.dim(), convGroups(k.param()))));
    } else if (shared == null) {
      computed.put(k, HostVectors.toDoubles(sums(e, k.dim())));
    } else if (!shared.containsKey(k)) {
      for (int dim : cache.dims(k.param(), k.dim(), accept)) {
        Key other = new Key(k.param(), dim, false);
        checkDim(other, e);
        shared.put(other, HostVectors.toDoubles(sums(e, dim)));
      }
    }
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
    double[][] byKey = new double[keys.size()][];
    long[] perGroup = new long[keys.size()];
    for (int k = 0; k < byKey.length; k++) {
      Key key = keys.get(k);
      byKey[k] = vectors.get(key);
      checkArgument(byKey[k] != null, "no vector for %s along dim %s", key.param(), key.dim());
      perGroup[k] = key.grouped() ? byKey[k].length / convGroups(key.param()) : byKey[k].length;
    }
    ImmutableList.Builder<ChannelTerms> out = ImmutableList.builderWithExpectedSize(layouts.length);
    for (int i = 0; i < layouts.length; i++) {
      Layout layout = layouts[i];
      List<ParamSlice> slices = group.channel(i).slices();
      double[] sums = new double[layout.terms()];
      int started = 0; // terms are numbered in first-seen order: a new one is the next number
      for (int j = 0; j < layout.key().length; j++) {
        int k = layout.key()[j];
        if (k < 0) {
          continue;
        }
        double v = entry(byKey[k], perGroup[k], slices.get(j));
        int t = layout.term()[j];
        if (t == started) {
          sums[t] = v;
          started++;
        } else {
          sums[t] += v;
        }
      }
      out.add(new ChannelTerms(sums, layout.first()));
    }
    return out.build();
  }

  /** The slice's entry of its key's vector, {@code n} entries per conv group. */
  private static double entry(double[] vector, long n, ParamSlice s) {
    if (s.index() >= n) {
      throw new IllegalArgumentException(
          "slice " + s + ": " + s.param() + " has size " + n + " along dim " + s.dim());
    }
    return vector[(int) (s.convGroup() >= 0 ? s.convGroup() * n + s.index() : s.index())];
  }

  /** Whether any slice of the group is accepted. */
  boolean isEmpty() {
    return keys.isEmpty();
  }

  /**
   * Sum over every dim but {@code dim}: one entry per index along it. Dim 0 sums each contiguous
   * row. Any other dim first sums over the dims before it, reading the tensor in place (a
   * contiguous outer reduction), then over the dims after it: moving {@code dim} to the front
   * instead copies the whole tensor with a strided gather (for a 3x3 conv, runs of 9 floats), which
   * cost more than everything else in scoring. Only the summation order differs from moving it
   * first: the sums agree to float rounding (relative 3e-7 on the zoo's weights).
   */
  static Tensor sums(Tensor e, int dim) {
    if (e.dim() == 1) {
      return e;
    }
    long[] shape = e.shape();
    long n = shape[dim];
    if (dim == 0) {
      return e.reshape(n, e.numel() / Math.max(n, 1)).sum(1L);
    }
    long outer = 1;
    long inner = 1;
    for (int d = 0; d < shape.length; d++) {
      if (d < dim) {
        outer *= shape[d];
      } else if (d > dim) {
        inner *= shape[d];
      }
    }
    Tensor columns = e.reshape(outer, n, inner).sum(0L);
    return inner == 1 ? columns.reshape(n) : columns.sum(1L);
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
