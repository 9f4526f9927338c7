package io.jprune.testmodels.plain;

/** Not model code: only its loading matters (a test transformer loads a model class then). */
public final class SyncTrigger {
  private SyncTrigger() {}

  public static String name() {
    return "trigger";
  }
}
