package io.jprune.pruner.save;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A directory replaced as a whole: files are written into a temporary directory beside the target,
 * flushed to disk, and the directory is renamed into place. Until the final renames the previous
 * directory is untouched, so a failed or killed save leaves it loadable. The old directory is moved
 * aside ({@code .NAME.jprune-old}) for the two renames and deleted after; if a process dies between
 * them, {@link #interrupted} finds it.
 */
final class DurableDirectory {
  private final Path target;
  private final Path temp;

  private DurableDirectory(Path target, Path temp) {
    this.target = target;
    this.temp = temp;
  }

  /** Starts a replacement of {@code target} (the parent is created if needed). */
  static DurableDirectory begin(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs.getParent());
      Path temp =
          Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".jprune-tmp-");
      return new DurableDirectory(abs, temp);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create a temporary directory beside " + abs + ": " + e.getMessage(), e);
    }
  }

  /** Writes one file of the new directory through {@code body} and forces it to disk. */
  void write(String name, Consumer<OutputStream> body) {
    Path file = temp.resolve(name);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream out = Channels.newOutputStream(ch);
      body.accept(out);
      out.flush();
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + name + " for " + target + ": " + e.getMessage(), e);
    }
  }

  /** Renames the new directory into place; the previous one (if any) is deleted after. */
  void commit() {
    Path old = aside(target);
    try {
      forceDirectory(temp);
      deleteRecursively(old);
      boolean had = Files.exists(target);
      if (had) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory(target.getParent());
      if (had) {
        deleteRecursively(old);
      }
    } catch (FileAlreadyExistsException e) {
      throw new UncheckedIOException(
          "cannot move the new save into place: " + target + " appeared meanwhile", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot move the new save into place at " + target + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the temporary directory (after a failure); the target is untouched. */
  void abandon() {
    try {
      deleteRecursively(temp);
    } catch (IOException e) {
      // the failure that got us here matters more; a leftover temp dir is harmless
    }
  }

  /** The previous save moved aside by a save that died between its two renames, or null. */
  static Path interrupted(Path target) {
    Path old = aside(target.toAbsolutePath().normalize());
    return Files.isDirectory(old) && !Files.exists(target) ? old : null;
  }

  private static Path aside(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".jprune-old");
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every file system lets a directory be opened for fsync; the files themselves were
    }
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
