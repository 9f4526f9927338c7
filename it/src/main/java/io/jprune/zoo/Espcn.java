package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.PixelShuffleImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * ESPCN super-resolution x3: conv 5x5 1->64, tanh, conv 3x3 64->32, tanh, conv 3x3 32->72, pixel
 * shuffle to 8 channels at 3x size, then a 3x3 refine conv 8->1. The shuffle ties each output
 * channel to a block of 9 input channels, and the refine conv makes those 8 shuffled channels
 * prunable. The shuffle is either the functional {@code torch.pixel_shuffle(x, 3)} or a registered
 * {@code PixelShuffleImpl(3)} named {@code pixel_shuffle}.
 */
public final class Espcn extends Module {
  static final long SCALE = 3;
  static final long SHUFFLED_CHANNELS = 8;

  private final Conv2dImpl conv1;
  private final Conv2dImpl conv2;
  private final Conv2dImpl conv3;
  private final PixelShuffleImpl pixelShuffle;
  private final Conv2dImpl refine;

  /**
   * @param shuffleModule true for a {@code PixelShuffleImpl} child, false for the function
   */
  public Espcn(boolean shuffleModule) {
    conv1 = register_module("conv1", Layers.conv2d(1, 64, 5, 1, 2, true));
    conv2 = register_module("conv2", Layers.conv2d(64, 32, 3, 1, 1, true));
    conv3 =
        register_module(
            "conv3", Layers.conv2d(32, SHUFFLED_CHANNELS * SCALE * SCALE, 3, 1, 1, true));
    pixelShuffle =
        shuffleModule ? register_module("pixel_shuffle", Layers.pixelShuffle(SCALE)) : null;
    refine = register_module("refine", Layers.conv2d(SHUFFLED_CHANNELS, 1, 3, 1, 1, true));
  }

  public Tensor forward(Tensor x) {
    x = conv1.forward(x).tanh();
    x = conv2.forward(x).tanh();
    x = conv3.forward(x);
    if (pixelShuffle != null) {
      x = pixelShuffle.forward(x);
    } else {
      x = torch.pixel_shuffle(x, SCALE);
    }
    return refine.forward(x);
  }
}
