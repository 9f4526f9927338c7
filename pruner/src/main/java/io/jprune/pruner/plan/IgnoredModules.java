package io.jprune.pruner.plan;

import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.PruningGroup;
import java.util.List;

/**
 * Modules whose output channels are kept (a classifier, a detection head), and their submodules: a
 * channel that one of them produces is locked with an infinite score, so it is never among the
 * lowest and never planned for removal.
 */
public final class IgnoredModules {
  private final ImmutableSet<String> modules;

  private IgnoredModules(ImmutableSet<String> modules) {
    this.modules = modules;
  }

  /** The given module paths (e.g. {@code fc}, {@code layer4.1}). */
  public static IgnoredModules of(Iterable<String> modules) {
    return new IgnoredModules(ImmutableSet.copyOf(modules));
  }

  /** Whether a parameter (e.g. {@code fc.weight}) belongs to an ignored module or a submodule. */
  public boolean owns(String param) {
    String module = param.contains(".") ? param.substring(0, param.lastIndexOf('.')) : "";
    for (String ignored : modules) {
      if (module.equals(ignored) || module.startsWith(ignored + ".")) {
        return true;
      }
    }
    return false;
  }

  /** The scores with every channel an ignored module produces set to +infinity. */
  public ImmutableDoubleArray lock(PruningGroup group, double[] scores) {
    double[] locked = scores.clone();
    for (Channel c : group.channels()) {
      for (ParamSlice s : c.outputs()) {
        if (owns(s.param())) {
          locked[c.index()] = Double.POSITIVE_INFINITY;
        }
      }
    }
    return ImmutableDoubleArray.copyOf(locked);
  }

  /** Whether some channel of the groups is produced by no ignored module. */
  public boolean leaveAnyFree(List<PruningGroup> groups) {
    return groups.stream()
        .anyMatch(
            g ->
                g.channels().stream()
                    .anyMatch(c -> c.outputs().stream().noneMatch(s -> owns(s.param()))));
  }
}
