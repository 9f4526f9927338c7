package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.GroupNormImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Residual block of two 3x3 grouped convs ({@code groups} conv groups, not depthwise) each followed
 * by GroupNorm: pruning must keep whole conv groups in step and channel counts divisible by the
 * norm's group count.
 */
public final class GroupedResidualBlock extends Module {
  private final Conv2dImpl conv1;
  private final GroupNormImpl gn1;
  private final Conv2dImpl conv2;
  private final GroupNormImpl gn2;

  GroupedResidualBlock(long channels, long convGroups, long normGroups) {
    conv1 = register_module("conv1", Layers.conv2d(channels, channels, 3, 1, 1, convGroups, false));
    gn1 = register_module("gn1", Layers.groupNorm(normGroups, channels));
    conv2 = register_module("conv2", Layers.conv2d(channels, channels, 3, 1, 1, convGroups, false));
    gn2 = register_module("gn2", Layers.groupNorm(normGroups, channels));
  }

  public Tensor forward(Tensor x) {
    Tensor y = gn1.forward(conv1.forward(x)).relu();
    y = gn2.forward(conv2.forward(y));
    return y.add(x).relu();
  }
}
