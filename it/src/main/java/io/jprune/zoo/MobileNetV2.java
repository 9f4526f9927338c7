package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.DropoutImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * torchvision's MobileNetV2 at width 1.0 (3,504,872 parameters): {@code features.0} stem, {@code
 * features.1..17} inverted residuals, {@code features.18} 1x1 to 1280, then {@code classifier} =
 * native {@code Sequential(Dropout(0.2), Linear(1280, 1000))}. The features are a {@code
 * ModuleList} looped from Java since the blocks are Java modules.
 */
public final class MobileNetV2 extends Module {
  /** Expansion t, output channels c, repeats n, first stride s, as in the paper's table 2. */
  private static final long[][] SETTINGS = {
    {1, 16, 1, 1},
    {6, 24, 2, 2},
    {6, 32, 3, 2},
    {6, 64, 4, 2},
    {6, 96, 3, 1},
    {6, 160, 3, 2},
    {6, 320, 1, 1}
  };

  private static final long STEM_CHANNELS = 32;
  private static final long LAST_CHANNELS = 1280;

  private final ConvBnAct stem;
  private final List<InvertedResidual> blocks = new ArrayList<>();
  private final ConvBnAct last;
  private final SequentialImpl classifier;

  /** Java objects of the native Sequential's children (see {@link Layers#held}). */
  private final List<org.bytedeco.pytorch.Module> held = new ArrayList<>();

  public MobileNetV2(long numClasses) {
    ModuleListImpl features = register_module("features", new ModuleListImpl());
    stem = new ConvBnAct(3, STEM_CHANNELS, 3, 2, Activation.RELU6);
    features.push_back(stem);
    long in = STEM_CHANNELS;
    for (long[] s : SETTINGS) {
      for (int i = 0; i < s[2]; i++) {
        InvertedResidual block = new InvertedResidual(in, s[1], i == 0 ? s[3] : 1, s[0]);
        features.push_back(block);
        blocks.add(block);
        in = s[1];
      }
    }
    last = new ConvBnAct(in, LAST_CHANNELS, 1, 1, Activation.RELU6);
    features.push_back(last);
    SequentialImpl head = new SequentialImpl();
    head.push_back(Layers.held(held, new DropoutImpl(0.2)));
    head.push_back(Layers.held(held, Layers.linear(LAST_CHANNELS, numClasses)));
    classifier = register_module("classifier", head);
  }

  public Tensor forward(Tensor x) {
    x = stem.forward(x);
    for (InvertedResidual block : blocks) {
      x = block.forward(x);
    }
    x = last.forward(x);
    x = torch.adaptive_avg_pool2d(x, 1, 1).flatten(1, -1);
    return classifier.forward(x);
  }
}
