package io.jprune.pruner;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.importance.Importance;
import io.jprune.pruner.importance.ImportanceContext;
import io.jprune.pruner.plan.IgnoredModules;
import io.jprune.pruner.surgery.ModelTensors;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Scores every channel of every group with the importance criterion: runs the losses first where
 * the criterion needs gradients, checks one score per channel, and locks the channels of ignored
 * modules (infinite scores).
 */
final class ChannelScoring {
  private final Module model;
  private final Importance importance;
  private final List<Supplier<Tensor>> losses;
  private final IgnoredModules ignored;

  ChannelScoring(
      Module model, Importance importance, List<Supplier<Tensor>> losses, IgnoredModules ignored) {
    this.model = model;
    this.importance = importance;
    this.losses = List.copyOf(losses);
    this.ignored = ignored;
  }

  /** Group id -> one score per channel (higher = keep; ignored modules' channels infinite). */
  ImmutableSortedMap<Integer, ImmutableDoubleArray> score(DependencyGraph graph) {
    GradientProbe.Result grads = losses.isEmpty() ? null : GradientProbe.run(model, losses);
    ImportanceContext.Builder b =
        ImportanceContext.builder(ModelTensors.of(model)).groups(graph.groups());
    if (grads != null) {
      b.gradients(grads.gradients()).hessianDiagonal(grads.hessianDiagonal());
    }
    ImportanceContext ctx = b.build();
    ImmutableSortedMap.Builder<Integer, ImmutableDoubleArray> scores =
        ImmutableSortedMap.naturalOrder();
    for (PruningGroup group : graph.groups()) {
      double[] s = importance.score(group, ctx);
      checkState(
          s.length == group.size(),
          "importance %s gave %s scores for group %s of %s",
          importance.name(),
          s.length,
          group.id(),
          group.size());
      scores.put(group.id(), ignored.lock(group, s));
    }
    return scores.build();
  }
}
