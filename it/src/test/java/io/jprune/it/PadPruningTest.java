package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Padding: spatial padding to match sizes before a skip concat (UNet), the zero channels a CIFAR
 * ResNet's "option A" shortcut pads in, reflect padding, and a non-zero constant.
 */
class PadPruningTest {
  private static final long[] REMOVED = {0, 3, 4};

  enum Padding {
    /** 9x9 padded to 10x10 with zeros, then concatenated with a 10x10 branch. */
    SPATIAL_ZEROS(14, true),
    /** 1 pixel of reflection on every side (replicates each channel's own values). */
    SPATIAL_REFLECT(14, true),
    /** 2 zero channels on each side of the channel dim: 12 channels, 4 of them new. */
    CHANNEL_ZEROS(18, true),
    /** spatial padding with 0.5: a removed channel's border is 0.5 in the masked original. */
    SPATIAL_HALF(14, false);

    final long catChannels;
    final boolean exact;

    Padding(long catChannels, boolean exact) {
      this.catChannels = catChannels;
      this.exact = exact;
    }
  }

  public static final class PadNet extends Module {
    private final Conv2dImpl a =
        register_module("a", new Conv2dImpl(3, 8, new LongPointer(2L, 2L)));
    private final Conv2dImpl b =
        register_module("b", new Conv2dImpl(3, 6, new LongPointer(1L, 1L)));
    private final Conv2dImpl c;
    private final Padding padding;

    public PadNet(Padding padding) {
      this.padding = padding;
      c = register_module("c", new Conv2dImpl(padding.catChannels, 4, new LongPointer(1L, 1L)));
    }

    public Tensor forward(Tensor x) {
      Tensor h = a.forward(x).relu(); // [1, 8, 9, 9]
      Tensor skip = b.forward(x); // [1, 6, 10, 10]
      Tensor p =
          switch (padding) {
            case SPATIAL_ZEROS -> torch.pad(h, 0, 1, 0, 1);
            case SPATIAL_REFLECT ->
                torch.pad(
                    h.narrow(2, 0, 8).narrow(3, 0, 8),
                    new long[] {1, 1, 1, 1},
                    "reflect",
                    new DoubleOptional());
            case CHANNEL_ZEROS ->
                torch.constant_pad_nd(h, new long[] {0, 1, 0, 1, 2, 2}, new Scalar(0.0));
            case SPATIAL_HALF -> torch.constant_pad_nd(h, new long[] {0, 1, 0, 1}, new Scalar(0.5));
          };
      return c.forward(torch.cat(new TensorVector(p, skip), 1));
    }
  }

  @ParameterizedTest
  @EnumSource(Padding.class)
  void paddedChannelsFollowTheirProducer(Padding padding) {
    PadNet model = new PadNet(padding);
    Tensor x = torch.randn(1, 3, 10, 10);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("a");
    assertEquals(14, g.size(), "a's 8 and b's 6 channels meet in c's columns; padding adds none");
    EquivalenceReport report = pruner.pruneAndVerify(Removal.of(g.id(), REMOVED));
    assertArrayEquals(
        new long[] {5, 3, 2, 2},
        ZooPruning.shape(ModelTensors.of(model).get("a.weight")),
        "channels 0, 3 and 4 of the group are a's");
    assertArrayEquals(
        new long[] {4, padding.catChannels - 3, 1, 1},
        ZooPruning.shape(ModelTensors.of(model).get("c.weight")));
    assertArrayEquals(new long[] {1, 4, 10, 10}, ZooPruning.shape(model.forward(x)));
    if (padding.exact) {
      assertTrue(report.exactExpected(), report.toString());
      assertTrue(report.agrees(1e-5), report.toString());
    } else {
      assertFalse(report.exactExpected(), report.toString());
      assertTrue(
          report.toString().contains("constant_pad_nd with a non-zero constant at "),
          report.toString());
    }
  }
}
