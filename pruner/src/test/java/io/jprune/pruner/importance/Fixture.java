package io.jprune.pruner.importance;

import com.google.common.collect.ImmutableList;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;

/**
 * Small libtorch tensors with their values kept in Java, so tests compute expected scores by hand
 * (element loops) and compare with the criteria's libtorch reductions. Builders for model-like
 * groups: conv + BN + next conv, Linear + LayerNorm + Linear, a grouped conv consumer, and a
 * pixel_shuffle-like producer owning several rows per channel.
 */
final class Fixture {
  final Map<String, Tensor> tensors = new LinkedHashMap<>();
  private final Map<String, double[]> values = new LinkedHashMap<>();
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Random random;

  Fixture(long seed) {
    random = new Random(seed);
  }

  /** A double tensor with these values. */
  Tensor put(String name, double[] v, long... shape) {
    Tensor t = AbstractTensor.create(v.clone(), shape);
    tensors.put(name, t);
    values.put(name, v.clone());
    shapes.put(name, shape.clone());
    return t;
  }

  /** A double tensor of values uniform in [-1, 1), seeded. */
  Tensor random(String name, long... shape) {
    return put(name, randomValues(shape), shape);
  }

  double[] randomValues(long... shape) {
    double[] v = new double[(int) numel(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextDouble() * 2 - 1;
    }
    return v;
  }

  double[] values(String name) {
    return values.get(name);
  }

  long[] shape(String name) {
    return shapes.get(name);
  }

  ImportanceContext context() {
    return new ImportanceContext(tensors, null, null);
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /** Flat indices of {@code name[.., index along dim, ..]}. */
  void forEachIn(String name, int dim, long index, IntConsumer flat) {
    forEachIn(name, dim, index, -1, 1, flat);
  }

  /**
   * Flat indices of the slice; with {@code group >= 0} only the rows (dim 0) of that conv group, of
   * {@code groups} equal blocks.
   */
  void forEachIn(String name, int dim, long index, int group, int groups, IntConsumer flat) {
    long[] shape = shapes.get(name);
    long n = numel(shape);
    long rowsPerGroup = shape[0] / groups;
    for (int f = 0; f < n; f++) {
      long[] idx = unflatten(f, shape);
      if (idx[dim] != index) {
        continue;
      }
      if (group >= 0 && idx[0] / rowsPerGroup != group) {
        continue;
      }
      flat.accept(f);
    }
  }

  static long[] unflatten(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }

  /** Sum of |w|^p over the slice. */
  double powSum(String name, int dim, long index, double p) {
    return powSum(name, dim, index, -1, 1, p);
  }

  double powSum(String name, int dim, long index, int group, int groups, double p) {
    double[] v = values.get(name);
    double[] s = {0};
    forEachIn(name, dim, index, group, groups, f -> s[0] += Math.pow(Math.abs(v[f]), p));
    return s[0];
  }

  // ---- model-like groups --------------------------------------------------------------------

  static ParamSlice out(String param, long i) {
    return new ParamSlice(param, 0, i, SliceRole.OUTPUT, -1);
  }

  static ParamSlice in(String param, long i) {
    return new ParamSlice(param, 1, i, SliceRole.INPUT, -1);
  }

  static ParamSlice state(String param, long i) {
    return new ParamSlice(param, 0, i, SliceRole.STATE, -1);
  }

  static PruningGroup group(int id, List<List<ParamSlice>> channels) {
    ImmutableList.Builder<Channel> b = ImmutableList.builder();
    for (int i = 0; i < channels.size(); i++) {
      b.add(new Channel(i, ImmutableList.copyOf(channels.get(i)), null));
    }
    return new PruningGroup(id, b.build(), ImmutableList.of());
  }

  /**
   * conv [4,3,3,3] (+bias) -> bn [4] (weight, bias, running stats) -> next conv [5,4,1,1]. Channel
   * 2's conv row is scaled down 100x, so magnitude criteria rank it lowest.
   */
  static Fixture convBn(long seed) {
    Fixture f = new Fixture(seed);
    double[] w = f.randomValues(4, 3, 3, 3);
    for (int k = 0; k < 27; k++) {
      w[2 * 27 + k] *= 0.01;
    }
    f.put("conv.weight", w, 4, 3, 3, 3);
    f.random("conv.bias", 4);
    f.put("bn.weight", new double[] {0.9, -0.7, 0.05, 1.3}, 4);
    f.random("bn.bias", 4);
    f.put("bn.running_mean", new double[] {10, 20, 30, 40}, 4);
    f.put("bn.running_var", new double[] {1, 2, 3, 4}, 4);
    double[] n = f.randomValues(5, 4, 1, 1);
    for (int o = 0; o < 5; o++) {
      n[o * 4 + 2] *= 0.01;
    }
    f.put("next.weight", n, 5, 4, 1, 1);
    return f;
  }

  static PruningGroup convBnGroup() {
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ch.add(
          List.of(
              out("conv.weight", i),
              out("conv.bias", i),
              out("bn.weight", i),
              out("bn.bias", i),
              state("bn.running_mean", i),
              state("bn.running_var", i),
              in("next.weight", i)));
    }
    return group(0, ch);
  }

  /** fc1 [6,5] (+bias) -> LayerNorm [6] (no running stats) -> fc2 [3,6]. */
  static Fixture mlpLn(long seed) {
    Fixture f = new Fixture(seed);
    f.random("fc1.weight", 6, 5);
    f.random("fc1.bias", 6);
    f.put("ln.weight", new double[] {1.1, 0.2, -0.9, 0.01, 0.6, -1.4}, 6);
    f.random("ln.bias", 6);
    f.random("fc2.weight", 3, 6);
    return f;
  }

  static PruningGroup mlpLnGroup() {
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ch.add(
          List.of(
              out("fc1.weight", i),
              out("fc1.bias", i),
              out("ln.weight", i),
              out("ln.bias", i),
              in("fc2.weight", i)));
    }
    return group(1, ch);
  }

  /**
   * stem [4,2,3,3] -> grouped conv gconv [6,2,3,3] with groups=2 (in 4: channel i is column i%2 of
   * the rows of conv group i/2, 3 rows per group).
   */
  static Fixture grouped(long seed) {
    Fixture f = new Fixture(seed);
    f.random("stem.weight", 4, 2, 3, 3);
    f.random("gconv.weight", 6, 2, 3, 3);
    return f;
  }

  static PruningGroup groupedGroup() {
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ch.add(
          List.of(
              out("stem.weight", i),
              new ParamSlice("gconv.weight", 1, i % 2, SliceRole.INPUT, i / 2)));
    }
    return group(2, ch);
  }

  /** pixel_shuffle(2)-like: ps [8,2,1,1] -> channel c owns rows 4c..4c+3; post [3,2,1,1]. */
  static Fixture shuffle(long seed) {
    Fixture f = new Fixture(seed);
    f.random("ps.weight", 8, 2, 1, 1);
    f.random("post.weight", 3, 2, 1, 1);
    return f;
  }

  static PruningGroup shuffleGroup() {
    List<List<ParamSlice>> ch = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      List<ParamSlice> s = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        s.add(out("ps.weight", 4L * c + r));
      }
      s.add(in("post.weight", c));
      ch.add(s);
    }
    return group(3, ch);
  }
}
