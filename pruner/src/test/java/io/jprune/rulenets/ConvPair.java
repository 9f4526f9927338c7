package io.jprune.rulenets;

import java.util.function.BinaryOperator;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Two 1x1 convs {@code a} and {@code b} (3 -> 8 channels) make a = b = [1, 8, 4, 4] from the input
 * [1, 3, 4, 4]; one op combines them, and {@code head} reads its result: either a Linear over every
 * element (flattened, so each kept element is a column of head) or a 1x1 conv over its channels.
 */
public final class ConvPair extends Module {
  private final Conv2dImpl a = register_module("a", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
  private final Conv2dImpl b = register_module("b", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
  private final LinearImpl linearHead;
  private final Conv2dImpl convHead;
  private final BinaryOperator<Tensor> op;

  /** The op's result read element by element by a Linear(numel, 5) head; seeded weights. */
  public static ConvPair of(BinaryOperator<Tensor> op) {
    torch.manual_seed(5);
    return new ConvPair(op, false);
  }

  /** The op's result [1, C, H, W] read channel by channel by a 1x1 conv head (C -> 4). */
  public static ConvPair convHead(BinaryOperator<Tensor> op) {
    torch.manual_seed(5);
    return new ConvPair(op, true);
  }

  private ConvPair(BinaryOperator<Tensor> op, boolean conv) {
    this.op = op;
    Tensor sample;
    try (NoGradGuard g = new NoGradGuard()) {
      sample = op.apply(torch.zeros(1, 8, 4, 4), torch.zeros(1, 8, 4, 4));
    }
    if (conv) {
      convHead =
          register_module("head", new Conv2dImpl(sample.size(1), 4, new LongPointer(1L, 1L)));
      linearHead = null;
    } else {
      linearHead = register_module("head", new LinearImpl(sample.numel(), 5));
      convHead = null;
    }
  }

  public Tensor forward(Tensor x) {
    Tensor y = op.apply(a.forward(x), b.forward(x));
    return convHead != null ? convHead.forward(y) : linearHead.forward(y.reshape(1, -1));
  }

  /** The example input, seeded. */
  public static Tensor input() {
    torch.manual_seed(11);
    return torch.randn(1, 3, 4, 4);
  }
}
