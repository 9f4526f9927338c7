package io.jprune.pruner.save;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jprune.pruner.surgery.ModelDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.pytorch.OutputArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable files (issue 9): a save that fails (a full tmpfs, a writer error, SIGKILL part-way)
 * leaves the previous save loadable; flipped bytes are refused by checksum; another model's save is
 * not overwritten unless asked.
 */
class DurableSaveTest {
  @TempDir Path tmp;

  private static Wide savedSmall(Path dir) {
    Wide small = new Wide(8, 1);
    PrunedModelFiles.save(small, List.of(), dir);
    return small;
  }

  @Test
  void aWriterErrorIsAnExceptionNotAJvmAbort() {
    Wide big = new Wide(64, 1);
    OutputArchive archive = new OutputArchive();
    archive.write("w", big.named_parameters().get(0).value(), false);
    OutputStream full =
        new OutputStream() {
          private int written;

          @Override
          public void write(int b) throws IOException {
            if (++written > 1000) {
              throw new IOException("No space left on device (simulated)");
            }
          }
        };
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> ArchiveBytes.write(archive, full));
    assertEquals("cannot write the weights: No space left on device (simulated)", e.getMessage());
    ByteArrayOutputStream ok = new ByteArrayOutputStream();
    ArchiveBytes.write(archive, ok);
    assertTrue(ok.size() > 64 * 64 * 4, "the JVM lives on and the archive still writes");
  }

  @Test
  void aFullDiskLeavesThePreviousSaveLoadable() throws Exception {
    Path mount = tmp.resolve("small-disk");
    Files.createDirectories(mount);
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()) == 0,
        "mounting a tmpfs needs root");
    try {
      Path dir = mount.resolve("model");
      Wide small = savedSmall(dir);
      String digest = ModelDigest.of(small);
      Wide big = new Wide(300, 2); // 361 KB of weights
      UncheckedIOException e =
          assertThrows(
              UncheckedIOException.class, () -> PrunedModelFiles.save(big, List.of(), dir));
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      Wide fresh = new Wide(8, 9);
      PrunedModelFiles.load(fresh, dir);
      assertEquals(digest, ModelDigest.of(fresh), "the previous save loads");
      try (Stream<Path> left = Files.list(mount)) {
        assertEquals(List.of(dir), left.toList(), "no temporary directory is left");
      }
    } finally {
      run("umount", mount.toString());
    }
  }

  @Test
  void killedMidSaveLeavesThePreviousSaveLoadable() throws Exception {
    Path dir = tmp.resolve("model");
    String digest = ModelDigest.of(savedSmall(dir));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                SaveAndDieMain.class.getName(),
                dir.toString(),
                "3000")
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("child.log").toFile())
            .start();
    boolean killedWhileWriting = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (p.isAlive() && System.nanoTime() < deadline) {
      if (tempDirExists()) {
        p.destroyForcibly(); // SIGKILL
        killedWhileWriting = true;
        break;
      }
      Thread.sleep(1);
    }
    p.waitFor(30, TimeUnit.SECONDS);
    assertTrue(
        killedWhileWriting,
        "the child was killed while writing its temp directory: "
            + Files.readString(tmp.resolve("child.log")));
    Wide fresh = new Wide(8, 9);
    PrunedModelFiles.load(fresh, dir);
    assertEquals(digest, ModelDigest.of(fresh), "the previous save loads");
    PrunedModelFiles.save(new Wide(8, 4), List.of(), dir); // and the next save succeeds
  }

  private boolean tempDirExists() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.anyMatch(q -> q.getFileName().toString().startsWith(".model.jprune-tmp-"));
    }
  }

  @Test
  void flippedBytesAreRefusedByChecksum() throws Exception {
    Path dir = tmp.resolve("model");
    savedSmall(dir);
    Path weights = dir.resolve(PrunedModelFiles.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    for (int i = 0; i < 16; i++) {
      bytes[bytes.length / 2 + i] ^= 0x5a;
    }
    Files.write(weights, bytes);
    Wide fresh = new Wide(8, 9);
    String digest = ModelDigest.of(fresh);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PrunedModelFiles.load(fresh, dir));
    assertTrue(e.getMessage().startsWith("checksum mismatch in weights.pt"), e.getMessage());
    assertEquals(digest, ModelDigest.of(fresh), "the target is untouched");
  }

  @Test
  void anotherModelsSaveIsNotOverwrittenUnlessAsked() throws Exception {
    Path dir = tmp.resolve("model");
    savedSmall(dir);
    byte[] record = Files.readAllBytes(dir.resolve(PrunedModelFiles.RECORD));
    Module2 other = new Module2();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PrunedModelFiles.save(other, List.of(), dir));
    assertEquals(
        dir
            + " holds a save of io.jprune.pruner.save.Wide, not of "
            + Module2.class.getName()
            + ": refusing to overwrite it (save with replaceOtherSave to "
            + "replace it)",
        e.getMessage());
    assertTrue(
        java.util.Arrays.equals(record, Files.readAllBytes(dir.resolve(PrunedModelFiles.RECORD))));
    PrunedModelFiles.save(other, List.of(), dir, true);
    assertEquals(Module2.class.getName(), PrunedModelFiles.readRecord(dir).modelClass());
    Path notes = Files.createDirectories(tmp.resolve("notes"));
    Files.writeString(notes.resolve("a.txt"), "x");
    e =
        assertThrows(
            IllegalArgumentException.class, () -> PrunedModelFiles.save(other, List.of(), notes));
    assertTrue(e.getMessage().contains("holds files that are not a jprune save"), e.getMessage());
  }

  /** Another model class. */
  public static final class Module2 extends org.bytedeco.pytorch.Module {
    private final org.bytedeco.pytorch.LinearImpl fc =
        register_module("fc", new org.bytedeco.pytorch.LinearImpl(2, 2));
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }
}
