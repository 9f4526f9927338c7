package io.jprune.zoo;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * A ResNet block, so that a {@link ResNetStage} can loop over basic and bottleneck blocks alike:
 * Java modules cannot go into a native {@code SequentialImpl}.
 */
public abstract class ResidualBlock extends Module {
  public abstract Tensor forward(Tensor x);
}
