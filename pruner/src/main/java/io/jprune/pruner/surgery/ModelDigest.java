package io.jprune.pruner.surgery;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * SHA-256 of a model's parameters and buffers: names, dtypes, shapes and the bytes of each tensor,
 * in registration order. Two models with equal digests hold byte-identical tensors; a rolled-back
 * or refused prune must leave the digest unchanged.
 */
public final class ModelDigest {
  private ModelDigest() {}

  /** Hex SHA-256 over every parameter and buffer of {@code root}. */
  public static String of(Module root) {
    MessageDigest md = sha256();
    for (Map.Entry<String, Tensor> e : ModelTensors.of(root).entrySet()) {
      Tensor t = e.getValue();
      StringBuilder head =
          new StringBuilder(e.getKey()).append('|').append(t.scalar_type().toString()).append('|');
      for (int d = 0; d < t.dim(); d++) {
        head.append(t.size(d)).append(',');
      }
      md.update(head.append('\n').toString().getBytes(StandardCharsets.UTF_8));
      update(md, t);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Hex SHA-256 of one tensor's bytes (row-major, on the CPU). */
  public static String of(Tensor t) {
    MessageDigest md = sha256();
    update(md, t);
    return HexFormat.of().formatHex(md.digest());
  }

  private static void update(MessageDigest md, Tensor t) {
    Tensor c = t.detach().cpu().contiguous();
    long n = c.numel() * c.element_size();
    if (n > 0) {
      BytePointer p = new BytePointer(c.data_ptr()).capacity(n);
      byte[] chunk = new byte[(int) Math.min(n, 1 << 20)];
      for (long off = 0; off < n; off += chunk.length) {
        int len = (int) Math.min(chunk.length, n - off);
        p.position(off).get(chunk, 0, len);
        md.update(chunk, 0, len);
      }
    }
    Reference.reachabilityFence(c); // owns the bytes just read
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
