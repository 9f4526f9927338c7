import static org.bytedeco.pytorch.global.torch.relu;

import com.example.ops.Ops;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A model in the unnamed package whose forward calls helpers of another package
 * ({@link Ops#shift}, and {@link Ops#runningSum} when {@code runningSum}), and, when
 * {@code hidden}, makes a tensor by reflection, where jprune cannot see. Input [1, 3, 10, 10].
 */
public class ShiftNet extends Module {
  final Conv2dImpl conv1;
  final Conv2dImpl conv2;
  final Conv2dImpl conv3;
  private final boolean runningSum;
  private final boolean hidden;

  public ShiftNet(boolean runningSum, boolean hidden) {
    this.runningSum = runningSum;
    this.hidden = hidden;
    conv1 = register_module("conv1", conv(3, 8, 3));
    conv2 = register_module("conv2", conv(8, 8, 3));
    conv3 = register_module("conv3", conv(8, 4, 1));
  }

  private static Conv2dImpl conv(long in, long out, long k) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(k, k));
    o.padding().put(new LongPointer(k / 2, k / 2));
    return new Conv2dImpl(o);
  }

  public Tensor forward(Tensor x) {
    Tensor y = Ops.shift(relu(conv1.forward(x)));
    if (runningSum) {
      y = Ops.runningSum(y);
    }
    if (hidden) {
      y = negateByReflection(y);
    }
    y = relu(conv2.forward(y)); // conv2-site
    return conv3.forward(y);
  }

  /** {@code y.neg()} called by reflection: no call site jprune could rewrite. */
  private static Tensor negateByReflection(Tensor y) {
    try {
      return (Tensor) Tensor.class.getMethod("neg").invoke(y);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
