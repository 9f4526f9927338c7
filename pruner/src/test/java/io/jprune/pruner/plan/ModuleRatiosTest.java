package io.jprune.pruner.plan;

import static io.jprune.pruner.plan.PlanFixtures.ascending;
import static io.jprune.pruner.plan.PlanFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.group.PruningGroup;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-module ratios: a module's ratio replaces the base ratio for the groups it leads. */
class ModuleRatiosTest {
  private static final PruningGroup ENC_L1 = group(0, "enc.l1.weight", 8);
  private static final PruningGroup ENCODER = group(1, "encoder.weight", 8);
  private static final PruningGroup HEAD = group(2, "head.weight", 8);
  private static final List<PruningGroup> GROUPS = List.of(ENC_L1, ENCODER, HEAD);

  private static Removal plan(Map<String, Double> moduleRatios) {
    StepPlanner planner = new StepPlanner(PlanFixtures.ratio(0.5, moduleRatios));
    return planner.plan(
        GROUPS,
        Map.of(0, ascending(8, 0), 1, ascending(8, 0), 2, ascending(8, 0)),
        Baseline.of(GROUPS, Double.NaN),
        1,
        PlanFixtures::noCost);
  }

  @Test
  void everyGroupLosesTheBaseRatio() {
    Removal r = plan(Map.of());
    assertEquals(
        Removal.builder().put(0, 0, 1, 2, 3).put(1, 0, 1, 2, 3).put(2, 0, 1, 2, 3).build(), r);
  }

  @Test
  void aModuleRatioAppliesToItsSubmodulesOnly() {
    // "enc" leads enc.l1 (keep round(8 * 0.75) = 6), not "encoder" (a name that starts alike)
    Removal r = plan(Map.of("enc", 0.25, "head", 0.0));
    assertEquals(2, r.removed(ENC_L1.id()).length());
    assertEquals(4, r.removed(ENCODER.id()).length());
    assertEquals(0, r.removed(HEAD.id()).length(), "a ratio of 0 keeps the module whole");
    assertEquals(Removal.builder().put(0, 0, 1).put(1, 0, 1, 2, 3).build(), r);
  }
}
