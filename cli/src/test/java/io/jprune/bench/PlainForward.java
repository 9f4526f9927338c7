package io.jprune.bench;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.zoo.ZooModel;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * The baseline process of {@link PruneBench}'s memory target: a plain JVM without jprune that
 * builds one zoo model and runs one forward, as an app that serves it would. Argument: MODEL.
 */
public final class PlainForward {
  private PlainForward() {}

  public static void main(String[] args) {
    ZooModel zoo = ZooModel.valueOf(args[0]);
    Libtorch.load();
    Libtorch.setIntraOpThreads(1);
    Module model = zoo.create(0);
    Tensor x = zoo.exampleInput(0);
    try (NoGradGuard guard = new NoGradGuard()) {
      Tensor y = zoo.forward(model, x);
      System.out.println(
          "PLAIN model=" + zoo + " out=" + java.util.Arrays.toString(y.sizes().vec().get()));
    }
  }
}
