package io.jprune.rulenets;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.GroupNormImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LocalResponseNormImpl;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.PReLUImpl;
import org.bytedeco.pytorch.PReLUOptions;
import org.bytedeco.pytorch.SigmoidImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A 1x1 conv {@code a} (3 -> 8) on [1, 3, 4, 4], one built-in module {@code m} after it, and a
 * Linear {@code head} over the flattened result; or, for LayerNorm, a Linear on tokens.
 */
public final class ModuleNets {
  private ModuleNets() {}

  /** The module after conv a. */
  public enum After {
    BATCH_NORM,
    /** 3x3, padding 1, groups 8: each output channel reads its own input channel. */
    DEPTHWISE,
    /** GroupNorm(2 groups, 8 channels). */
    GROUP_NORM,
    /** PReLU with one weight per channel. */
    PRELU,
    /** A module kind that labels like the sigmoid op. */
    SIGMOID,
    /** No module kind describes it. */
    LOCAL_RESPONSE_NORM
  }

  /** conv a -> m -> flatten -> head. */
  public static final class ConvThen extends Module {
    private final Conv2dImpl a =
        register_module("a", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
    private final Module m;
    private final LinearImpl head = register_module("head", new LinearImpl(128, 5));
    private final After after;

    public ConvThen(After after) {
      this.after = after;
      m = register_module("m", module(after));
    }

    private static Module module(After after) {
      return switch (after) {
        case BATCH_NORM -> new BatchNorm2dImpl(new BatchNormOptions(8));
        case DEPTHWISE -> {
          Conv2dOptions o = new Conv2dOptions(8, 8, new LongPointer(3L, 3L));
          o.padding().put(new LongPointer(1L, 1L));
          o.groups().put(8L);
          yield new Conv2dImpl(o);
        }
        case GROUP_NORM -> new GroupNormImpl(2, 8);
        case PRELU -> {
          PReLUOptions o = new PReLUOptions(); // PReLUOptions(long) would allocate an array
          o.num_parameters().put(8L);
          yield new PReLUImpl(o);
        }
        case SIGMOID -> new SigmoidImpl();
        case LOCAL_RESPONSE_NORM -> new LocalResponseNormImpl(2);
      };
    }

    public Tensor forward(Tensor x) {
      Tensor y = a.forward(x);
      Tensor z =
          switch (after) {
            case BATCH_NORM -> ((BatchNorm2dImpl) m).forward(y);
            case DEPTHWISE -> ((Conv2dImpl) m).forward(y);
            case GROUP_NORM -> ((GroupNormImpl) m).forward(y);
            case PRELU -> ((PReLUImpl) m).forward(y);
            case SIGMOID -> ((SigmoidImpl) m).forward(y);
            case LOCAL_RESPONSE_NORM -> ((LocalResponseNormImpl) m).forward(y);
          };
      return head.forward(z.reshape(1, -1));
    }
  }

  /** Linear(6, 8) -> LayerNorm([8]) -> Linear(8, 3) on tokens [1, 4, 6]. */
  public static final class LinearNorm extends Module {
    private final LinearImpl fc = register_module("fc", new LinearImpl(6, 8));
    private final LayerNormImpl norm =
        register_module(
            "norm", new LayerNormImpl(new LayerNormOptions(new LongVector(new long[] {8}))));
    private final LinearImpl head = register_module("head", new LinearImpl(8, 3));

    public Tensor forward(Tensor x) {
      return head.forward(norm.forward(fc.forward(x)));
    }
  }
}
