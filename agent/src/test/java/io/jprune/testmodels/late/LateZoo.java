package io.jprune.testmodels.late;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The zoo's ZooModel role: returning both models as {@code Module} makes the JVM load {@link
 * EarlyNet} and {@link LateNet} when it verifies this class, long before LateNet is built. 2 sites.
 */
public final class LateZoo {
  private LateZoo() {}

  public static Module early() {
    return new EarlyNet();
  }

  public static Module late() {
    return new LateNet(8);
  }

  public static Tensor forward(Module model, Tensor x) {
    if (model instanceof LateNet net) {
      return net.forward(x);
    }
    return ((EarlyNet) model).forward(x);
  }
}
