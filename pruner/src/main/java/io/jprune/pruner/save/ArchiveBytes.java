package io.jprune.pruner.save;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;

/**
 * libtorch archives written and read through Java streams. {@code OutputArchive.save_to(path)}
 * writes with libtorch's own file writer, which on a write error (a full disk) throws from a
 * destructor and aborts the JVM (std::terminate, exit 134). Here libtorch hands each block to a
 * Java {@link ArchiveWriter}; the block goes to a Java stream, and an {@link IOException} is kept
 * and rethrown after {@code save_to} returns. The writer always reports the whole block as written,
 * so libtorch never sees a short write and never throws.
 */
final class ArchiveBytes {
  private ArchiveBytes() {}

  /** Writes the archive to {@code out}; write errors surface as {@link UncheckedIOException}. */
  static void write(OutputArchive archive, OutputStream out) {
    StreamWriter writer = new StreamWriter(out);
    try {
      archive.save_to(writer);
    } finally {
      writer.close();
    }
    if (writer.error != null) {
      throw new UncheckedIOException(
          "cannot write the weights: " + writer.error.getMessage(), writer.error);
    }
  }

  /** Reads an archive from bytes already in memory (and already checked against their hash). */
  static InputArchive read(byte[] bytes) {
    InputArchive archive = new InputArchive();
    BytePointer data = new BytePointer(bytes.length);
    data.put(bytes);
    archive.load_from(data, bytes.length);
    java.lang.ref.Reference.reachabilityFence(data);
    return archive;
  }

  /** libtorch calls {@link #call} with each block of the archive. */
  private static final class StreamWriter extends ArchiveWriter {
    private final OutputStream out;
    private byte[] buffer = new byte[1 << 16];
    private IOException error;

    StreamWriter(OutputStream out) {
      super();
      this.out = out;
    }

    @Override
    public long call(Pointer data, long size) {
      if (error != null || size <= 0) {
        return size;
      }
      try {
        BytePointer bytes = new BytePointer(data).capacity(size);
        for (long off = 0; off < size; off += buffer.length) {
          int len = (int) Math.min(buffer.length, size - off);
          bytes.position(off).get(buffer, 0, len);
          out.write(buffer, 0, len);
        }
      } catch (IOException e) {
        error = e;
      } catch (RuntimeException e) {
        error = new IOException(e);
      }
      return size; // never a short write: libtorch would throw from a destructor
    }
  }
}
