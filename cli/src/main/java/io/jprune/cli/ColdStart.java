package io.jprune.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A start-up task on its own thread, so that the command's thread does other start-up work
 * meanwhile: the command loads libtorch's natives (unpack check and {@code dlopen} of some 445 MB,
 * no Java work) while the agent installs and instruments the loaded model classes (Java work, no
 * libtorch needed). {@link #await} hands back the result, or rethrows the task's own failure
 * unchanged (a {@code NativesUnavailableException} stays one, with the message that says what to
 * add), so a failed load ends the command as it did when it ran on the command's thread.
 *
 * @param <T> what the task returns
 */
final class ColdStart<T> {
  private final FutureTask<T> task;

  private ColdStart(FutureTask<T> task) {
    this.task = task;
  }

  /**
   * Starts {@code work} on a new daemon thread named {@code name} (daemon: a command that fails
   * before {@link #await} does not wait for it to exit).
   */
  static <T> ColdStart<T> begin(String name, Callable<T> work) {
    checkNotNull(work, "work");
    FutureTask<T> task = new FutureTask<>(work);
    Thread thread = new Thread(task, checkNotNull(name, "name"));
    thread.setDaemon(true);
    thread.start();
    return new ColdStart<>(task);
  }

  /**
   * Waits for the task and returns its result.
   *
   * @throws RuntimeException the task's own unchecked exception or error, as it was thrown
   * @throws IllegalStateException wrapping a checked exception of the task, or when interrupted
   */
  T await() {
    try {
      return task.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("start-up task failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a start-up task", e);
    }
  }
}
