package io.jprune.pruner.plan;

import static io.jprune.pruner.plan.PlanFixtures.ascending;
import static io.jprune.pruner.plan.PlanFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.PruningGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Global ranking: the weakest units of the whole model go, within maxRatio per group. */
class GlobalRankingTest {
  // group 0's channels all score below group 1's
  private static final List<PruningGroup> GROUPS =
      List.of(group(0, "weak.weight", 8), group(1, "strong.weight", 8));
  private static final Map<Integer, com.google.common.primitives.ImmutableDoubleArray> SCORES =
      Map.of(0, ascending(8, 0.1), 1, ascending(8, 10));

  private static Removal plan(double maxRatio) {
    return new StepPlanner(PlanFixtures.options(0.5, Map.of(), maxRatio, true, 1, null))
        .plan(GROUPS, SCORES, Baseline.of(GROUPS, Double.NaN), 1, PlanFixtures::noCost);
  }

  @Test
  void theWeakGroupGivesAllButOneUnit() {
    // 8 of 16 units go; the weak group keeps its best unit, the strong group gives the 8th
    assertEquals(Removal.builder().put(0, 0, 1, 2, 3, 4, 5, 6).put(1, 0).build(), plan(1.0));
  }

  @Test
  void maxRatioCapsEachGroup() {
    // at most half of each group: 4 from the weak one, the other 4 from the strong one
    assertEquals(Removal.builder().put(0, 0, 1, 2, 3).put(1, 0, 1, 2, 3).build(), plan(0.5));
  }

  @Test
  void fractionsAreOfTheCurrentUnits() {
    Map<Integer, Double> f =
        GlobalRanking.fractions(GROUPS, SCORES, Baseline.of(GROUPS, Double.NaN), 0.25, 1.0);
    // 4 of 16 units go, all from the weak group
    assertEquals(Map.of(0, 0.5), f);
  }
}
