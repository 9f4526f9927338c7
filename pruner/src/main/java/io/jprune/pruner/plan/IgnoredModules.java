package io.jprune.pruner.plan;

import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.group.SliceRole;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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
    if (modules.isEmpty()) {
      return ImmutableDoubleArray.copyOf(locked);
    }
    Map<String, Boolean> owned = new HashMap<>(); // a group's channels share few parameters
    Function<String, Boolean> owns = this::owns; // one instance, not one per slice
    for (Channel c : group.channels()) {
      for (ParamSlice s : c.slices()) {
        if (s.role() == SliceRole.OUTPUT && owned.computeIfAbsent(s.param(), owns)) {
          locked[c.index()] = Double.POSITIVE_INFINITY;
          break;
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
