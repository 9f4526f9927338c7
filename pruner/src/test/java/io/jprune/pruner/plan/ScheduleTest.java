package io.jprune.pruner.plan;

import static io.jprune.pruner.plan.PlanFixtures.ascending;
import static io.jprune.pruner.plan.PlanFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.PruningGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Schedules: each step reaches its share of the ratio of the original sizes (the baseline). */
class ScheduleTest {

  @Test
  void linearStepsReachTheRatioOfTheOriginalSize() {
    StepPlanner planner = new StepPlanner(PlanFixtures.options(0.5, Map.of(), 1, false, 2, null));
    PruningGroup before = group(0, "a.weight", 8);
    Baseline baseline = Baseline.of(List.of(before), Double.NaN);
    // step 1: a quarter of 8 goes
    Removal first =
        planner.plan(
            List.of(before), Map.of(0, ascending(8, 0)), baseline, 1, PlanFixtures::noCost);
    assertEquals(2, first.channelCount());
    // step 2, on the re-traced group of 6: down to half of the original 8, so 2 more
    PruningGroup after = group(0, "a.weight", 6);
    Removal second =
        planner.plan(
            List.of(after),
            Map.of(0, ascending(6, 0)),
            baseline.with(List.of(after)),
            2,
            PlanFixtures::noCost);
    assertEquals(Removal.of(0, 0, 1), second);
  }

  @Test
  void quadraticTakesLargerStepsFirst() {
    assertEquals(0.75, Schedule.quadratic().progress(1, 2));
    assertEquals(1.0, Schedule.quadratic().progress(2, 2));
    assertEquals(0.5, Schedule.linear().progress(1, 2));
  }
}
