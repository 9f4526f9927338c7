package io.jprune.it;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.zoo.ZooModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Run in a fresh JVM by {@link SaveReloadIT}: rebuilds a saved pruned zoo model from a fresh
 * original and prints its output's checksum, which must equal the pruning JVM's bit for bit.
 * Arguments: zoo model name, saved directory, seed of the example input.
 */
public final class ReloadMain {
  private ReloadMain() {}

  public static void main(String[] args) {
    ZooModel zoo = ZooModel.valueOf(args[0]);
    long seed = Long.parseLong(args[2]);
    Libtorch.load();
    Module model = zoo.create(seed + 1000); // other weights: the load must replace them all
    PrunedModelFiles.load(model, Path.of(args[1]));
    System.out.println(checksum(run(zoo, model, zoo.exampleInput(seed))));
  }

  static Tensor run(ZooModel zoo, Module model, Tensor input) {
    try (NoGradGuard g = new NoGradGuard()) {
      return zoo.forward(model, input);
    }
  }

  /** {@code output [1, 10] crc32 0123abcd}: shape and a CRC of the raw float32 bits. */
  static String checksum(Tensor t) {
    Tensor c = t.detach().to(torch.ScalarType.Float).contiguous().cpu();
    float[] v = new float[(int) c.numel()];
    new FloatPointer(c.data_ptr_float()).capacity(v.length).get(v);
    ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      bytes.putInt(Float.floatToRawIntBits(f));
    }
    CRC32 crc = new CRC32();
    crc.update(bytes.array());
    long[] shape = new long[(int) c.dim()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = c.size(d);
    }
    return "output "
        + java.util.Arrays.toString(shape)
        + " crc32 "
        + String.format("%08x", crc.getValue());
  }
}
