package io.jprune.pruner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jprune.pruner.PhaseTimer.Phase;
import org.junit.jupiter.api.Test;

/** The step stopwatch, on a hand-driven clock. */
class PhaseTimerTest {
  private long now;

  private void advanceMillis(long ms) {
    now += ms * 1_000_000;
  }

  @Test
  void eachPhaseIsChargedUntilTheNextStarts() {
    PhaseTimer t = new PhaseTimer(() -> now, Phase.IMPORTANCE);
    advanceMillis(7);
    t.enter(Phase.SURGERY);
    advanceMillis(3);
    t.enter(Phase.VERIFY);
    advanceMillis(5);
    t.enter(Phase.SURGERY);
    advanceMillis(2);
    t.pause();
    advanceMillis(100);
    assertEquals(7, t.millis(Phase.IMPORTANCE));
    assertEquals(5, t.millis(Phase.SURGERY), "two stretches add up");
    assertEquals(5, t.millis(Phase.VERIFY));
    assertEquals(0, t.millis(Phase.TRACE));
  }

  @Test
  void thePausedTimeIsChargedToNothingAndTheRunningPhaseCounts() {
    PhaseTimer t = new PhaseTimer(() -> now, null);
    advanceMillis(50);
    t.enter(Phase.GRAPH);
    advanceMillis(4);
    assertEquals(4, t.millis(Phase.GRAPH), "the running phase up to now");
    assertEquals(0, t.millis(Phase.IMPORTANCE));
  }

  @Test
  void millisAreWholeAndSummedInNanos() {
    PhaseTimer t = new PhaseTimer(() -> now, Phase.SURGERY);
    now += 600_000; // 0.6 ms
    t.enter(Phase.VERIFY);
    t.enter(Phase.SURGERY);
    now += 600_000;
    t.pause();
    assertEquals(1, t.millis(Phase.SURGERY), "1.2 ms, not 0 + 0");
  }
}
