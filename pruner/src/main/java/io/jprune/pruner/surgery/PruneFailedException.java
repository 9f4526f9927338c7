package io.jprune.pruner.surgery;

/** Surgery failed part-way; every tensor, option and rewrite it changed has been restored. */
public final class PruneFailedException extends RuntimeException {
  /** A failed prune, rolled back, with what failed. */
  public PruneFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
