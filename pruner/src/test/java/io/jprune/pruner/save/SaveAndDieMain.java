package io.jprune.pruner.save;

import java.nio.file.Path;
import java.util.List;

/** Saves a wide model to args[0] once (the test kills this JVM with SIGKILL part-way). */
public final class SaveAndDieMain {
  private SaveAndDieMain() {}

  public static void main(String[] args) {
    Wide big = new Wide(Long.parseLong(args[1]), 2);
    System.out.println("saving");
    System.out.flush();
    PrunedModelFiles.save(big, List.of(), Path.of(args[0]));
    System.out.println("saved");
  }
}
