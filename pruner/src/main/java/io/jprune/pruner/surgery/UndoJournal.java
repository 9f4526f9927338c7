package io.jprune.pruner.surgery;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo actions of changes made so far to a live model, newest first. Every surgery step (a
 * tensor cut, an option change, a call-site rewrite, and whatever later steps add, such as
 * optimizer state) records how to put back what it is about to change before changing it; if
 * anything fails before {@link #commit}, {@link #rollback} runs them all in reverse order, so
 * tensors, options and rewrites are as they were, byte for byte.
 */
public final class UndoJournal {
  private final Deque<Entry> entries = new ArrayDeque<>();
  private boolean closed;

  private record Entry(String what, Runnable undo) {}

  /** Records how to undo the change {@code what} that is about to be made. */
  public void record(String what, Runnable undo) {
    checkState(!closed, "the journal was already committed or rolled back");
    entries.push(new Entry(checkNotNull(what, "what"), checkNotNull(undo, "undo")));
  }

  /** Number of recorded changes. */
  public int size() {
    return entries.size();
  }

  /** Keeps every change; the undo actions are dropped. */
  public void commit() {
    entries.clear();
    closed = true;
  }

  /**
   * Undoes every recorded change, newest first. An undo that fails does not stop the others; its
   * error is added to {@code cause} (suppressed) and the first one is rethrown after all ran.
   *
   * @param cause the failure that made the rollback necessary, or null
   */
  public void rollback(Throwable cause) {
    checkState(!closed, "the journal was already committed or rolled back");
    closed = true;
    RuntimeException first = null;
    while (!entries.isEmpty()) {
      Entry e = entries.pop();
      try {
        e.undo().run();
      } catch (RuntimeException failed) {
        RuntimeException named =
            new IllegalStateException(
                "could not undo " + e.what() + ": " + failed.getMessage(), failed);
        if (cause != null) {
          cause.addSuppressed(named);
        }
        first = first == null ? named : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
