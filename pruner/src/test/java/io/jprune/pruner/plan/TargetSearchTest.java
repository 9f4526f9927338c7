package io.jprune.pruner.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Target search: bisection on estimated costs for the smallest ratio that meets the goal. */
class TargetSearchTest {
  /** round(100 * ratio) channels of a 100-channel group 0. */
  private static final DoubleFunction<Removal> AT_RATIO =
      ratio -> Removal.of(0, LongStream.range(0, Math.round(100 * ratio)).toArray());

  @Test
  void theSmallestRemovalMeetingTheGoalIsFound() {
    // each channel costs 1 of 100: a 30% reduction takes exactly 30 channels
    Removal r =
        TargetSearch.search(
            new PruningTarget(PruningTarget.Kind.PARAMS, 0.3),
            100,
            1,
            AT_RATIO,
            removal -> 100 - removal.channelCount());
    assertEquals(30, r.channelCount());
  }

  @Test
  void aStepOfTheScheduleMeetsItsShareOfTheTarget() {
    Removal r =
        TargetSearch.search(
            new PruningTarget(PruningTarget.Kind.MACS, 0.3),
            100,
            0.5,
            AT_RATIO,
            removal -> 100 - removal.channelCount());
    assertEquals(15, r.channelCount());
  }

  @Test
  void anUnreachableTargetIsRefusedWithTheBestCost() {
    // each channel costs 0.4: 95 channels leave 62 of 100, short of -60% (40)
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TargetSearch.search(
                    new PruningTarget(PruningTarget.Kind.MACS, 0.6),
                    100,
                    1,
                    AT_RATIO,
                    removal -> 100 - 0.4 * removal.channelCount()));
    assertEquals(
        "the MACS target (-60%) cannot be met: removing 95% of every group's channels leaves 62"
            + " of 100",
        e.getMessage());
  }

  @Test
  void thePlannerSearchesTheRatioOfEveryGroup() {
    var groups =
        java.util.List.of(
            PlanFixtures.group(0, "a.weight", 10), PlanFixtures.group(1, "b.weight", 10));
    StepPlanner planner =
        new StepPlanner(
            PlanFixtures.options(
                0.5,
                java.util.Map.of(),
                1.0,
                false,
                1,
                new PruningTarget(PruningTarget.Kind.PARAMS, 0.4)));
    // each removed channel costs 1 of 20: -40% is 8 channels, 4 from each group
    Removal r =
        planner.plan(
            groups,
            java.util.Map.of(0, PlanFixtures.ascending(10, 0), 1, PlanFixtures.ascending(10, 0)),
            Baseline.of(groups, 20),
            1,
            removal -> 20 - removal.channelCount());
    assertEquals(Removal.builder().put(0, 0, 1, 2, 3).put(1, 0, 1, 2, 3).build(), r);
  }

  @Test
  void eachDistinctRemovalIsEstimatedOnce() {
    // 100 channels: past 7 halvings the ratio steps are under one channel and repeat removals
    List<Removal> asked = new ArrayList<>();
    Removal r =
        TargetSearch.search(
            new PruningTarget(PruningTarget.Kind.PARAMS, 0.3),
            100,
            1,
            AT_RATIO,
            removal -> {
              asked.add(removal);
              return 100 - removal.channelCount();
            });
    assertEquals(30, r.channelCount());
    assertEquals(asked.size(), new HashSet<>(asked).size(), "a removal was estimated twice");
    assertTrue(asked.size() < 1 + TargetSearch.ITERATIONS, "no bisection step was saved");
  }
}
