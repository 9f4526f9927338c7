import static org.bytedeco.pytorch.global.torch.relu;

import com.example.ops.Ops;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A model in the unnamed package whose forward calls a helper of another package ({@link
 * Ops#shift}) and, by {@link Variant}, one more thing between its convolutions. Input [1, 3, 10,
 * 10].
 */
public class ShiftNet extends Module {
  /** What the forward does after the shift. */
  public enum Variant {
    /** Nothing more. */
    PLAIN,
    /** {@link Ops#runningSum}, an op with no channel rule. */
    RUNNING_SUM,
    /** {@code y.neg()} by reflection: a new tensor made where jprune cannot see. */
    MADE_BY_REFLECTION,
    /**
     * {@code y.neg_()} by reflection: the traced tensor changed in place where jprune cannot see.
     */
    CHANGED_BY_REFLECTION
  }

  final Conv2dImpl conv1;
  final Conv2dImpl conv2;
  final Conv2dImpl conv3;
  private final Variant variant;

  public ShiftNet(Variant variant) {
    this.variant = variant;
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
    switch (variant) {
      case RUNNING_SUM -> y = Ops.runningSum(y);
      case MADE_BY_REFLECTION -> y = byReflection(y, "neg");
      case CHANGED_BY_REFLECTION -> byReflection(y, "neg_");
      default -> {}
    }
    y = relu(conv2.forward(y)); // conv2-site
    return conv3.forward(y);
  }

  /** {@code y.op()} called by reflection: no call site jprune could rewrite. */
  private static Tensor byReflection(Tensor y, String op) {
    try {
      return (Tensor) Tensor.class.getMethod(op).invoke(y);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
