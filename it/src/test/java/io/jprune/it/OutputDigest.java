package io.jprune.it;

import io.jprune.zoo.ZooModel;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * SHA-256 of a zoo model's output bytes; run as a main in a JVM without any agent, it gives the
 * reference the instrumented runs must reproduce bit for bit.
 */
public final class OutputDigest {
  private OutputDigest() {}

  public static void main(String[] args) {
    for (String name : args) {
      System.out.println(name + " " + of(ZooModel.valueOf(name)));
    }
  }

  static String of(ZooModel zoo) {
    Module model = zoo.create(ZooTraceFacts.SEED);
    Tensor input = zoo.exampleInput(ZooTraceFacts.SEED);
    try (NoGradGuard g = new NoGradGuard()) {
      return of(zoo.forward(model, input));
    }
  }

  static String of(Tensor t) {
    Tensor c = t.contiguous();
    float[] values = new float[(int) c.numel()];
    new FloatPointer(c.data_ptr_float()).capacity(values.length).get(values);
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4);
    for (float v : values) {
      bytes.putFloat(v);
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
