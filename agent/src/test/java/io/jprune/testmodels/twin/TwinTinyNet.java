package io.jprune.testmodels.twin;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** {@link io.jprune.testmodels.bench.TinyNet} in a package the agent does not touch. */
public final class TwinTinyNet extends Module {
  private final LinearImpl fc = register_module("fc", new LinearImpl(8, 8));
  private final TwinTinyBlock block = register_module("block", new TwinTinyBlock());

  public Tensor forward(Tensor x) {
    Tensor h = block.forward(fc.forward(x));
    long batch = h.size(0);
    return h.reshape(batch, 2, -1).reshape(batch, -1);
  }

  /** n forwards, called from this instrumented class; each output is freed at once. */
  public static long forwards(TwinTinyNet net, Tensor x, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      Tensor y = net.forward(x);
      sum += y.address() & 1;
      y.close();
    }
    return sum;
  }

  /** The Java submodule. */
  public static final class TwinTinyBlock extends Module {
    public Tensor forward(Tensor x) {
      return x.relu();
    }
  }

  /** n calls of an empty Java module forward: what the agent adds to each module call. */
  public static long passes(TwinPassthrough module, Tensor x, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += module.forward(x) == x ? 1 : 0;
    }
    return sum;
  }

  /** A Java module whose forward does nothing. */
  public static final class TwinPassthrough extends Module {
    public Tensor forward(Tensor x) {
      return x;
    }
  }
}
