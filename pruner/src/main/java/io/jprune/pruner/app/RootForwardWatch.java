package io.jprune.pruner.app;

import io.jprune.tracer.site.CallSiteInfo;
import io.jprune.tracer.site.SiteInterceptor;
import io.jprune.tracer.site.SiteInvoker;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import org.bytedeco.pytorch.Module;

/**
 * Counts the application's root forwards (a module {@code forward} called outside any other traced
 * forward on its thread) and, at the {@code n}-th, stops intercepting and hands that call to an
 * action, which runs it (after pruning, say) and returns its result. Until then every call proceeds
 * unchanged.
 */
final class RootForwardWatch implements SiteInterceptor {
  /** What happens at the chosen root forward. */
  @FunctionalInterface
  interface Action {
    Object at(Module root, Object[] args, SiteInvoker proceed) throws Throwable;
  }

  private final int n;
  private final Action action;
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
  private int seen;
  private boolean fired;

  RootForwardWatch(int n, Action action) {
    this.n = n;
    this.action = action;
  }

  @Override
  public Object intercept(CallSiteInfo site, Object[] args, SiteInvoker proceed) throws Throwable {
    if (site.kind() != SiteKind.MODULE_FORWARD || !(args[0] instanceof Module root)) {
      return proceed.invoke(args);
    }
    int[] d = depth.get();
    if (d[0] == 0 && fire()) {
      Sites.stopIntercepting();
      return action.at(root, args, proceed);
    }
    d[0]++;
    try {
      return proceed.invoke(args);
    } finally {
      d[0]--;
    }
  }

  private synchronized boolean fire() {
    if (fired) {
      return false;
    }
    seen++;
    fired = seen == n;
    return fired;
  }

  @Override
  public String toString() {
    return "jprune pruning, waiting for root forward " + n;
  }
}
