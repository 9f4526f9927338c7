package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.GroupNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Grouped convolutions (groups = 4) with GroupNorm(8, C) for 32x32 inputs: stem conv 3->32 + GN, a
 * grouped residual block at 32, a grouped stride-2 conv 32->64 + GN, a grouped residual block at
 * 64, spatial mean and a 10-way {@code fc}.
 */
public final class GroupedConvNet extends Module {
  static final long CONV_GROUPS = 4;
  static final long NORM_GROUPS = 8;

  private final Conv2dImpl stem;
  private final GroupNormImpl stemNorm;
  private final GroupedResidualBlock block1;
  private final Conv2dImpl down;
  private final GroupNormImpl downNorm;
  private final GroupedResidualBlock block2;
  private final LinearImpl fc;

  public GroupedConvNet(long numClasses) {
    stem = register_module("stem", Layers.conv2d(3, 32, 3, 1, 1, false));
    stemNorm = register_module("stem_norm", Layers.groupNorm(NORM_GROUPS, 32));
    block1 = register_module("block1", new GroupedResidualBlock(32, CONV_GROUPS, NORM_GROUPS));
    down = register_module("down", Layers.conv2d(32, 64, 3, 2, 1, CONV_GROUPS, false));
    downNorm = register_module("down_norm", Layers.groupNorm(NORM_GROUPS, 64));
    block2 = register_module("block2", new GroupedResidualBlock(64, CONV_GROUPS, NORM_GROUPS));
    fc = register_module("fc", Layers.linear(64, numClasses));
  }

  public Tensor forward(Tensor x) {
    x = stemNorm.forward(stem.forward(x)).relu();
    x = block1.forward(x);
    x = downNorm.forward(down.forward(x)).relu();
    x = block2.forward(x);
    return fc.forward(x.mean(2, 3));
  }
}
