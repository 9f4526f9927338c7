package io.jprune.testmodels.late;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The zoo's MobileNetV2 pattern: loaded (not linked) before the agent, because verifying {@link
 * LateZoo} needs it; its submodule classes are first loaded by the JVM while it verifies this
 * class's retransformed code, i.e. during another class's transformation. 2 sites.
 */
public final class LateNet extends Module {
  private final LateStem stem;
  private final List<LateBlock> blocks = new ArrayList<>();

  public LateNet(long width) {
    stem = register_module("stem", new LateStem(width, LateAct.TANH));
    blocks.add(register_module("block0", new LateBlock(width, LateAct.RELU)));
    blocks.add(register_module("block1", new LateBlock(width, LateAct.SIGMOID)));
  }

  public Tensor forward(Tensor x) {
    x = stem.forward(x);
    for (LateBlock block : blocks) {
      x = block.forward(x);
    }
    return LateOps.finish(x);
  }
}
