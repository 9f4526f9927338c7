package io.jprune.pruner;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A stopwatch that charges elapsed time to the phase running now: {@link #enter} ends the current
 * phase and starts another, so a phase entered from inside a callback (the forward that runs before
 * a cut is kept) is timed without nesting. Time while paused is charged to nothing.
 */
final class PhaseTimer {
  /** Where a pruning step's time goes (what {@link StepReport} reports). */
  enum Phase {
    TRACE,
    GRAPH,
    IMPORTANCE,
    SURGERY,
    VERIFY
  }

  private final Map<Phase, Long> nanos = new EnumMap<>(Phase.class);
  private final LongSupplier clock;
  private Phase current;
  private long since;

  /** A timer on {@code clock} (nanoseconds) running {@code first} (null: paused). */
  PhaseTimer(LongSupplier clock, Phase first) {
    this.clock = clock;
    enter(first);
  }

  /** A timer running {@code first}. */
  static PhaseTimer startIn(Phase first) {
    return new PhaseTimer(System::nanoTime, first);
  }

  /** A timer charging nothing until a phase is entered. */
  static PhaseTimer paused() {
    return new PhaseTimer(System::nanoTime, null);
  }

  /** Ends the current phase and starts {@code phase} (null: pause). */
  void enter(Phase phase) {
    long now = clock.getAsLong();
    if (current != null) {
      nanos.merge(current, now - since, Long::sum);
    }
    current = phase;
    since = now;
  }

  /** Pauses: what follows is charged to no phase. */
  void pause() {
    enter(null);
  }

  /** Whole milliseconds charged to a phase so far (the running one included). */
  long millis(Phase phase) {
    long n = nanos.getOrDefault(phase, 0L);
    if (phase == current) {
      n += clock.getAsLong() - since;
    }
    return n / 1_000_000;
  }
}
