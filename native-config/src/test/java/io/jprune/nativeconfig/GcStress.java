package io.jprune.nativeconfig;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * With {@code -Djprune.gcStress=MS} (Maven profile {@code gc-stress}), collects garbage every MS
 * milliseconds for the whole test run.
 *
 * <p>Why: JavaCPP frees a native object when its Java peer is collected, and views such as {@code
 * TensorVector.get(i)} or an {@code ArrayRef} over a Java array do not own what they point to. Such
 * a missing owner only crashes when a collection happens to fall in the gap (once in a while on CI,
 * with SIGSEGV or SIGABRT); constant collections make it crash at once.
 */
public final class GcStress implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    long millis = Long.getLong("jprune.gcStress", 0);
    if (millis <= 0) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              while (true) {
                System.gc();
                try {
                  Thread.sleep(millis);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "jprune-gc-stress");
    t.setDaemon(true);
    t.start();
  }
}
