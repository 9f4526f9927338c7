package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The other direction of ESPCN: conv 3x3 1->8 + ReLU at full size, {@code pixel_unshuffle(2)} to 32
 * channels at half size (each input channel becomes 4 consecutive ones), conv 3x3 32->16 + ReLU,
 * conv 3x3 16->4 and {@code pixel_shuffle(2)} back to one full-size channel, the usual shape of
 * restoration nets that work at reduced resolution.
 */
public final class EspcnUnshuffle extends Module {
  static final long FACTOR = 2;

  private final Conv2dImpl conv1;
  private final Conv2dImpl conv2;
  private final Conv2dImpl conv3;

  public EspcnUnshuffle() {
    conv1 = register_module("conv1", Layers.conv2d(1, 8, 3, 1, 1, true));
    conv2 = register_module("conv2", Layers.conv2d(8 * FACTOR * FACTOR, 16, 3, 1, 1, true));
    conv3 = register_module("conv3", Layers.conv2d(16, FACTOR * FACTOR, 3, 1, 1, true));
  }

  public Tensor forward(Tensor x) {
    x = conv1.forward(x).relu();
    x = torch.pixel_unshuffle(x, FACTOR);
    x = conv2.forward(x).relu();
    x = conv3.forward(x);
    return torch.pixel_shuffle(x, FACTOR);
  }
}
