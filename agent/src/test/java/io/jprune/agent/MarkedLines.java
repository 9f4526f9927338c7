package io.jprune.agent;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Line numbers of {@code // @name} markers in a test model's source, so line assertions follow
 * edits of the model instead of hard-coding numbers.
 */
final class MarkedLines {
  private final Path source;
  private final List<String> lines;

  private MarkedLines(Path source, List<String> lines) {
    this.source = source;
    this.lines = lines;
  }

  /** The markers of {@code type}'s top-level source file under src/test/java. */
  static MarkedLines of(Class<?> type) {
    Class<?> top = type;
    while (top.getEnclosingClass() != null) {
      top = top.getEnclosingClass();
    }
    Path source = Path.of("src/test/java", top.getName().replace('.', '/') + ".java");
    try {
      return new MarkedLines(source, Files.readAllLines(source));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source.toAbsolutePath(), e);
    }
  }

  /** 1-based line of the marker {@code // @name}. */
  int line(String name) {
    String marker = "// @" + name;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith(marker)) {
        return i + 1;
      }
    }
    checkArgument(false, "no marker '%s' in %s", marker, source);
    return -1;
  }
}
