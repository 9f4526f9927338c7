package io.jprune.pruner.plan;

import static io.jprune.pruner.plan.PlanFixtures.group;
import static io.jprune.pruner.plan.PlanFixtures.output;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableDoubleArray;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.PruningGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ignored modules: the channels they produce are locked and never planned for removal. */
class IgnoredModulesTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  /** 8 channels of body.weight; channels 0-2 also produce head.weight (ignored). */
  private static PruningGroup bodyAndHead() {
    ImmutableList.Builder<Channel> channels = ImmutableList.builder();
    for (int i = 0; i < 8; i++) {
      ImmutableList<ParamSlice> slices =
          i < 3
              ? ImmutableList.of(output("body.weight", i), output("head.weight", i))
              : ImmutableList.of(output("body.weight", i));
      channels.add(new Channel(i, slices, null));
    }
    return new PruningGroup(0, channels.build(), ImmutableList.of());
  }

  @Test
  void parametersOfTheModuleAndItsSubmodulesAreOwned() {
    IgnoredModules ignored = IgnoredModules.of(List.of("head"));
    assertTrue(ignored.owns("head.weight"));
    assertTrue(ignored.owns("head.proj.bias"));
    assertFalse(ignored.owns("header.weight"));
    assertFalse(ignored.owns("body.weight"));
  }

  @Test
  void theirChannelsScoreInfinite() {
    ImmutableDoubleArray locked =
        IgnoredModules.of(List.of("head"))
            .lock(bodyAndHead(), new double[] {0, 1, 2, 3, 4, 5, 6, 7});
    assertEquals(ImmutableDoubleArray.of(INF, INF, INF, 3, 4, 5, 6, 7), locked);
  }

  @Test
  void lockedChannelsAreNeverRemoved() {
    PruningGroup g = bodyAndHead();
    ImmutableDoubleArray locked =
        IgnoredModules.of(List.of("head")).lock(g, new double[] {0, 1, 2, 3, 4, 5, 6, 7});
    Removal r =
        new StepPlanner(PlanFixtures.ratio(0.5, Map.of()))
            .plan(
                List.of(g),
                Map.of(0, locked),
                Baseline.of(List.of(g), Double.NaN),
                1,
                PlanFixtures::noCost);
    // half of 8 go: the four weakest unlocked ones, not the weaker ignored 0-2
    assertEquals(Removal.of(0, 3, 4, 5, 6), r);
  }

  @Test
  void aGroupAllIgnoredLeavesNothingFree() {
    IgnoredModules ignored = IgnoredModules.of(List.of("head"));
    assertFalse(ignored.leaveAnyFree(List.of(group(0, "head.weight", 4))));
    assertTrue(ignored.leaveAnyFree(List.of(group(0, "head.weight", 4), bodyAndHead())));
  }
}
