package io.jprune.pruner.app;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Throwables;
import io.jprune.agent.AgentConfig;
import io.jprune.agent.PruneSettings;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.tracer.site.AppHooks;
import io.jprune.tracer.site.SiteInvoker;
import io.jprune.tracer.site.Sites;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Pruning inside an unmodified application, driven by the agent's arguments ({@code
 * prune=...;at=forward:N|exit;output=DIR}, {@code load=DIR}; see {@link AgentConfig}). The agent
 * calls {@link #arm} reflectively after instrumenting the application's classes. What happens is
 * logged through {@code System.Logger} {@code io.jprune.agent.prune}: one summary line per prune at
 * INFO by default.
 *
 * <ul>
 *   <li>{@code at=forward:N}: before the N-th root forward (counted from arming), the root module
 *       is pruned in place with that call's arguments as example input; the call then runs on the
 *       pruned model and the application goes on with it. Gradients and the state of the optimizers
 *       the application constructed are cut too. With {@code output=DIR}, DIR is written then, and
 *       again at JVM exit with the weights the application ended with.
 *   <li>{@code at=exit}: the first root forward's module and a copy of its arguments are kept; the
 *       model is pruned at JVM exit (useful with {@code output=DIR}).
 *   <li>{@code load=DIR}: before the application's {@code module.load(archive)} on the recorded
 *       class, the saved pruning is re-applied ({@link CheckpointGuard}).
 * </ul>
 */
public final class AppPruning {
  private static boolean waiting;

  private AppPruning() {}

  /**
   * Arms pruning for the agent argument string {@code args}.
   *
   * @throws IllegalArgumentException for arguments that cannot be combined
   * @throws IllegalStateException when an earlier {@code prune=} still waits for its forward
   */
  public static synchronized void arm(String args) {
    AgentConfig config = AgentConfig.parse(args);
    AgentLog log = AgentLog.of(config.verbose());
    Path loadDir = config.loadDir().orElse(null);
    CheckpointGuard guard = new CheckpointGuard(loadDir, log);
    AppHooks.onModuleLoad(guard::beforeLoad);
    if (config.prune().isEmpty()) {
      return;
    }
    PruneSettings s = config.prune().get();
    checkArgument(
        loadDir == null,
        "jprune agent arguments 'prune' and 'load' cannot be "
            + "combined: resume with load=DIR alone, then prune again in a later run");
    checkState(!waiting, "jprune is already waiting to prune this application");
    waiting = true;
    if (s.atForward().isPresent()) {
      armAtForward(s.atForward().get(), s, log);
    } else {
      armAtExit(s, log);
    }
  }

  /** Prunes before the n-th root forward, which then runs on the pruned model. */
  private static void armAtForward(int n, PruneSettings s, AgentLog log) {
    log.detail(() -> "armed: prunes the application's model before its root forward " + n);
    Sites.intercept(
        new RootForwardWatch(
            n,
            (root, a, proceed) -> {
              Pruner pruner =
                  prune(root, forwardOf(a, proceed), s, "before root forward " + n, log);
              s.output().ifPresent(dir -> saveAtExit(root, pruner, dir, log.forExitHook()));
              return proceed.invoke(a);
            }));
  }

  /** Keeps the first root forward's module and input, and prunes it at JVM exit. */
  private static void armAtExit(PruneSettings s, AgentLog log) {
    log.detail(() -> "armed: prunes the model of the application's first root forward at exit");
    Sites.intercept(
        new RootForwardWatch(
            1,
            (root, a, proceed) -> {
              Supplier<Tensor> forward = forwardOf(copyOf(a), proceed);
              AgentLog atExit = log.forExitHook();
              Runtime.getRuntime()
                  .addShutdownHook(
                      new Thread(
                          () -> prune(root, forward, s, "at exit", atExit),
                          "jprune-prune-at-exit"));
              return proceed.invoke(a);
            }));
  }

  private static Pruner prune(
      Module root, Supplier<Tensor> forward, PruneSettings s, String when, AgentLog log) {
    try {
      return onOwnThread(() -> InPlacePrune.run(root, forward, s, when, log));
    } catch (RuntimeException e) {
      log.problem(
          "did not prune " + root.getClass().getName() + " " + when + ": " + e.getMessage());
      throw e;
    } finally {
      synchronized (AppPruning.class) {
        waiting = false;
      }
    }
  }

  /**
   * Runs {@code work} on a thread of its own and waits for it: the application's thread may be
   * inside a JavaCPP {@code PointerScope}, which would free, when it closes, every native object
   * the prune made and keeps (call-site rewrite arguments, the pruned model's new tensors'
   * handles). PointerScopes are per thread, so a fresh thread has none.
   */
  private static <T> T onOwnThread(Supplier<T> work) {
    FutureTask<T> task = new FutureTask<>(work::get);
    new Thread(task, "jprune-prune").start();
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pruning", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      Throwables.throwIfUnchecked(cause);
      throw new IllegalStateException(cause);
    }
  }

  /** Saves DIR again at exit; {@code log} is one made for an exit hook. */
  private static void saveAtExit(Module root, Pruner pruner, Path dir, AgentLog log) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  PrunedModelFiles.save(root, pruner.history(), dir);
                  log.result("pruned model saved to " + dir + " (weights at exit)");
                },
                "jprune-save-at-exit"));
  }

  /** The root forward with these arguments, through the original call (no site). */
  private static Supplier<Tensor> forwardOf(Object[] args, SiteInvoker proceed) {
    return () -> {
      Object out;
      try {
        out = proceed.invoke(args.clone());
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("the root forward failed: " + t, t);
      }
      checkState(
          out instanceof Tensor,
          "jprune prunes models whose forward returns a Tensor;" + " %s.forward returned %s",
          args[0].getClass().getName(),
          out == null ? "null" : out.getClass().getName());
      return (Tensor) out;
    };
  }

  /**
   * The receiver and copies of the tensor arguments (the application may reuse its own). A copy
   * made inside the application's {@code PointerScope} would be freed when that scope closes: the
   * extra reference keeps it for the exit.
   */
  private static Object[] copyOf(Object[] args) {
    Object[] out = args.clone();
    for (int i = 1; i < out.length; i++) {
      if (out[i] instanceof Tensor t) {
        Tensor copy = t.detach().clone();
        copy.retainReference();
        out[i] = copy;
      }
    }
    return out;
  }
}
