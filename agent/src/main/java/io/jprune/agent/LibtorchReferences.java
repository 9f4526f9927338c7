package io.jprune.agent;

import java.nio.charset.StandardCharsets;

/**
 * Tells from a class file's constant pool, without parsing anything else and without loading a
 * class, whether the class can call libtorch: a traced invocation names its owner ({@code
 * org/bytedeco/pytorch/Tensor}, {@code TensorBase}, {@code global/torch}) or its name ({@code
 * forward} of a Module subtype) in a constant-pool string. A class with neither cannot hold a
 * traced call site, so the agent leaves it alone at the cost of one pass over its pool.
 */
final class LibtorchReferences {
  private static final byte[] BINDINGS = "org/bytedeco/pytorch/".getBytes(StandardCharsets.UTF_8);
  private static final byte[] FORWARD = "forward".getBytes(StandardCharsets.UTF_8);
  private static final int MAGIC = 0xCAFEBABE;

  private LibtorchReferences() {}

  /**
   * Whether the constant pool of {@code classFile} mentions the bindings' package or the name
   * {@code forward}. A malformed class file answers true: the transformer then sees it and reports
   * whatever is wrong with it.
   */
  static boolean mayCall(byte[] classFile) {
    if (classFile == null || classFile.length < 10 || readInt(classFile, 0) != MAGIC) {
      return true;
    }
    int count = readShort(classFile, 8);
    int pos = 10;
    try {
      for (int i = 1; i < count; i++) {
        int tag = classFile[pos] & 0xFF;
        switch (tag) {
          case 1 -> { // Utf8
            int length = readShort(classFile, pos + 1);
            int start = pos + 3;
            if (contains(classFile, start, length, BINDINGS)
                || equals(classFile, start, length, FORWARD)) {
              return true;
            }
            pos = start + length;
          }
          case 3, 4, 9, 10, 11, 12, 17, 18 -> pos += 5;
          case 5, 6 -> {
            pos += 9;
            i++; // long and double take two slots
          }
          case 7, 8, 16, 19, 20 -> pos += 3;
          case 15 -> pos += 4;
          default -> {
            return true; // unknown tag: a newer class file format, let the transformer judge
          }
        }
      }
    } catch (ArrayIndexOutOfBoundsException truncated) {
      return true;
    }
    return false;
  }

  private static boolean equals(byte[] b, int start, int length, byte[] word) {
    if (length != word.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (b[start + i] != word[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(byte[] b, int start, int length, byte[] word) {
    int last = start + length - word.length;
    outer:
    for (int p = start; p <= last; p++) {
      for (int i = 0; i < word.length; i++) {
        if (b[p + i] != word[i]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static int readShort(byte[] b, int pos) {
    return ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
  }

  private static int readInt(byte[] b, int pos) {
    return (readShort(b, pos) << 16) | readShort(b, pos + 2);
  }
}
