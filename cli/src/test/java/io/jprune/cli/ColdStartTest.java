package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A start-up task on its own thread hands back its result, or its own failure, unchanged. */
class ColdStartTest {
  @Test
  void returnsTheResultOfTheTaskRunOnItsOwnThread() {
    Thread caller = Thread.currentThread();
    ColdStart<String> start =
        ColdStart.begin(
            "jprune-test-start",
            () -> {
              assertTrue(Thread.currentThread() != caller, "ran on the caller's thread");
              return Thread.currentThread().getName();
            });
    assertEquals("jprune-test-start", start.await());
  }

  @Test
  void rethrowsAnUncheckedFailureItself() {
    // as Libtorch.load's NativesUnavailableException: the message that says what to add stays
    IllegalStateException failure = new IllegalStateException("libtorch natives could not load");
    ColdStart<Object> start =
        ColdStart.begin(
            "jprune-test-start",
            () -> {
              throw failure;
            });
    assertSame(failure, assertThrows(IllegalStateException.class, start::await));
  }

  @Test
  void rethrowsAnErrorItself() {
    UnsatisfiedLinkError failure = new UnsatisfiedLinkError("no jnitorch");
    ColdStart<Object> start =
        ColdStart.begin(
            "jprune-test-start",
            () -> {
              throw failure;
            });
    assertSame(failure, assertThrows(UnsatisfiedLinkError.class, start::await));
  }

  @Test
  void wrapsACheckedFailureNamingIt() {
    ColdStart<Object> start =
        ColdStart.begin(
            "jprune-test-start",
            () -> {
              throw new IOException("disk gone");
            });
    IllegalStateException e = assertThrows(IllegalStateException.class, start::await);
    assertEquals("start-up task failed: java.io.IOException: disk gone", e.getMessage());
  }
}
