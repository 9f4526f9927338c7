package io.jprune.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress display for the long phases (tracing a ViT, scoring, surgery): on a terminal
 * the line is rewritten in place; in a log (no console) each phase gets its own line. No
 * dependency: a progress-bar library would add a jar for twenty lines.
 */
final class ConsoleProgress {
  private final PrintWriter out;
  private final boolean interactive;
  private final long start = System.nanoTime();
  private int lastLength;

  ConsoleProgress(PrintWriter out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  /** Shows {@code [####----] step 2/4: scoring (3.1 s)}. */
  void show(int done, int total, String phase) {
    int width = 20;
    int filled = total == 0 ? width : done * width / total;
    String line =
        String.format(
            Locale.ROOT,
            "[%s%s] step %d/%d: %s (%.1f s)",
            "#".repeat(filled),
            "-".repeat(width - filled),
            Math.min(done + 1, total),
            total,
            phase,
            (System.nanoTime() - start) / 1e9);
    if (interactive) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the in-place line. */
  void done() {
    if (interactive && lastLength > 0) {
      out.println();
      lastLength = 0;
    }
  }
}
