package io.jprune.cli;

import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * User errors of the {@code jprune} command: option values checked before libtorch loads, output
 * paths checked writable before the prune, and one line on stderr with exit status 2 for any user
 * error (a bad value, an unknown module, a removal jprune refuses) instead of a stack trace. Bugs
 * keep their stack trace and exit 1.
 */
final class UserErrors {
  /** Exit status of a user error. */
  static final int USAGE = 2;

  private UserErrors() {}

  /** Installs the one-line handlers on a command line. */
  static CommandLine install(CommandLine cl) {
    cl.setParameterExceptionHandler(
        (e, args) -> oneLine(e.getCommandLine().getErr(), e.getMessage()));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          if (e instanceof IllegalArgumentException
              || e instanceof PlanException
              || e instanceof UnsupportedOpException) {
            return oneLine(commandLine.getErr(), e.getMessage());
          }
          throw e;
        });
    return cl;
  }

  private static int oneLine(PrintWriter err, String message) {
    String line = message == null ? "invalid arguments" : message.replace('\n', ' ');
    err.println("jprune: " + line + " (see jprune --help)");
    err.flush();
    return USAGE;
  }

  /** Checks every option value; throws naming the option (before anything heavy happens). */
  static void checkOptions(JpruneCommand c) {
    CommandLine cl = c.spec.commandLine();
    require(cl, c.ratio >= 0 && c.ratio < 1, "--ratio must be in [0, 1), got " + c.ratio);
    require(
        cl,
        c.headRatio >= 0 && c.headRatio < 1,
        "--head-ratio must be in [0, 1), got " + c.headRatio);
    require(cl, c.steps >= 1, "--steps must be at least 1, got " + c.steps);
    require(cl, c.roundTo >= 1, "--round-to must be at least 1, got " + c.roundTo);
    require(
        cl, c.threads == null || c.threads >= 1, "--threads must be at least 1, got " + c.threads);
    require(cl, c.runs >= 0, "--runs must be 0 or more, got " + c.runs);
    if (c.output != null) {
      writableDirectory(cl, "--output", c.output);
    }
    if (c.html != null) {
      writableFile(cl, "--html", c.html);
    }
    if (c.dot != null) {
      writableFile(cl, "--dot", c.dot);
    }
  }

  private static void require(CommandLine cl, boolean ok, String message) {
    if (!ok) {
      throw new ParameterException(cl, message);
    }
  }

  /** A directory that exists and is writable, or can be created under a writable ancestor. */
  private static void writableDirectory(CommandLine cl, String option, Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    require(
        cl,
        !Files.exists(abs) || Files.isDirectory(abs),
        option + " " + dir + " is a file, not a directory");
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    require(
        cl,
        existing != null && Files.isDirectory(existing),
        option + " " + dir + " cannot be created: " + existing + " is not a directory");
    // saves write a temporary directory beside the target, so its parent must take files
    Path probeIn =
        existing.equals(abs) ? abs.getParent() != null ? abs.getParent() : abs : existing;
    probe(cl, option, dir, probeIn);
  }

  private static void writableFile(CommandLine cl, String option, Path file) {
    Path abs = file.toAbsolutePath().normalize();
    require(cl, !Files.isDirectory(abs), option + " " + file + " is a directory");
    Path existing = abs.getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    require(
        cl,
        existing != null && Files.isDirectory(existing),
        option + " " + file + " cannot be created: " + existing + " is not a directory");
    probe(cl, option, file, existing);
  }

  /** Creates and deletes a file: permission bits say nothing to root or on read-only mounts. */
  private static void probe(CommandLine cl, String option, Path target, Path dir) {
    try {
      Path p = Files.createTempFile(dir, ".jprune-probe-", ".tmp");
      Files.delete(p);
    } catch (IOException | SecurityException e) {
      throw new ParameterException(
          cl,
          option
              + " "
              + target
              + " is not writable: cannot create "
              + "files in "
              + dir
              + " ("
              + e.getMessage()
              + ")");
    }
  }
}
