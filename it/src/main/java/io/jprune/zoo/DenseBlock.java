package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * torchvision's {@code _DenseBlock}: every layer sees {@code torch.cat} of the block input and all
 * earlier layer outputs along dim 1, and the block returns the cat of all of them. The channel
 * ranges of each cat input are what a pruner must map back through the concatenation.
 */
public final class DenseBlock extends Module {
  private final List<DenseLayer> layers = new ArrayList<>();

  DenseBlock(int numLayers, long in, long growth, long bnSize) {
    for (int i = 0; i < numLayers; i++) {
      layers.add(
          register_module("denselayer" + (i + 1), new DenseLayer(in + i * growth, growth, bnSize)));
    }
  }

  static long outChannels(int numLayers, long in, long growth) {
    return in + numLayers * growth;
  }

  public Tensor forward(Tensor x) {
    List<Tensor> features = new ArrayList<>();
    features.add(x);
    for (DenseLayer layer : layers) {
      Tensor input = torch.cat(new TensorVector(features.toArray(new Tensor[0])), 1);
      features.add(layer.forward(input));
    }
    return torch.cat(new TensorVector(features.toArray(new Tensor[0])), 1);
  }
}
