import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.nll_loss;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.bytedeco.pytorch.global.torch.randn;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs {@link SimpleMNIST}'s model the ways applications hand a forward around: {@code executor}
 * submits a lambda to an executor thread, {@code reflection} calls it as a framework does that
 * finds {@code forward} by reflection (no call site to rewrite). Each then computes a loss and
 * gradients, which are not part of the model's forward.
 */
public final class FrameworkApp {
  private FrameworkApp() {}

  public static void main(String[] args) throws Exception {
    manual_seed(1);
    SimpleMNIST.Net net = new SimpleMNIST.Net();
    Tensor data = randn(8, 1, 28, 28);
    Tensor prediction;
    if (args[0].equals("executor")) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        prediction = pool.submit(() -> net.forward(data)).get();
      } finally {
        pool.shutdown();
      }
    } else {
      prediction = forwardOf(net, data);
    }
    Tensor loss = nll_loss(prediction, randint(10, new long[] {8}));
    loss.backward();
    System.out.println("loss " + loss.item_float());
  }

  /** What a framework does with a module it did not write. */
  private static Tensor forwardOf(Module module, Tensor input) throws Exception {
    Method forward = module.getClass().getDeclaredMethod("forward", Tensor.class);
    forward.setAccessible(true);
    return (Tensor) forward.invoke(module, input);
  }
}
