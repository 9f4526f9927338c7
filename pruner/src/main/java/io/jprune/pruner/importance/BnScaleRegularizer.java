package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.Longs;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Network-slimming sparsity (Liu et al. 2017): the penalty {@code lambda * sum |gamma|} over the
 * norm scales of the groups' channels (found by {@link NormWeightRule}), whose subgradient {@code
 * lambda * sign(gamma)} is added to {@code gamma.grad}. Pair with {@link BnScale}.
 */
public final class BnScaleRegularizer implements SparsityRegularizer {
  private final double lambda;
  private final NormWeightRule rule;

  /**
   * The penalty with this strength on every norm scale {@link NormWeightRule} finds.
   *
   * @throws IllegalArgumentException when lambda is negative or not finite
   */
  public BnScaleRegularizer(double lambda) {
    this(lambda, false);
  }

  private BnScaleRegularizer(double lambda, boolean batchNormOnly) {
    checkArgument(lambda >= 0 && Double.isFinite(lambda), "lambda must be >= 0, got %s", lambda);
    this.lambda = lambda;
    this.rule = new NormWeightRule(batchNormOnly);
  }

  /** The same penalty on BatchNorm gammas only (those with a running_var sibling). */
  public BnScaleRegularizer batchNormOnly() {
    return new BnScaleRegularizer(lambda, true);
  }

  /** The penalty's strength. */
  public double lambda() {
    return lambda;
  }

  @Override
  public void apply(List<PruningGroup> groups, ImportanceContext context) {
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      scaleIndices(groups, context)
          .forEach(
              (name, idx) -> {
                Tensor w = context.tensor(name).detach();
                Tensor grad = ParamCompanions.liveGradient(context, name, "bnScale regulariser");
                Tensor i = HostVectors.indices(idx, w);
                grad.index_add_(0, i, w.index_select(0, i).sign().mul(new Scalar(lambda)).to(grad));
              });
    }
  }

  @Override
  public double penalty(List<PruningGroup> groups, ImportanceContext context) {
    double total = 0;
    try (PointerScope scope = new PointerScope();
        NoGradGuard noGrad = new NoGradGuard()) {
      for (Map.Entry<String, long[]> e : scaleIndices(groups, context).entrySet()) {
        Tensor w = context.tensor(e.getKey()).detach();
        total += w.index_select(0, HostVectors.indices(e.getValue(), w)).abs().sum().item_double();
      }
    }
    return lambda * total;
  }

  /** The norm-scale entries the groups' channels own, by parameter, each once. */
  private Map<String, long[]> scaleIndices(List<PruningGroup> groups, ImportanceContext ctx) {
    Map<String, TreeSet<Long>> byParam = new LinkedHashMap<>();
    for (PruningGroup g : groups) {
      for (Channel c : g.channels()) {
        for (ParamSlice s : c.slices()) {
          if (rule.test(s, ctx)) {
            byParam.computeIfAbsent(s.param(), k -> new TreeSet<>()).add(s.index());
          }
        }
      }
    }
    Map<String, long[]> out = new LinkedHashMap<>();
    byParam.forEach((k, v) -> out.put(k, Longs.toArray(v)));
    return out;
  }

  @Override
  public String toString() {
    return "bnScaleRegularizer(lambda=" + lambda + ", " + rule + ")";
  }
}
