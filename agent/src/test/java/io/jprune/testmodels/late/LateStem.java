package io.jprune.testmodels.late;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Linear + activation picked by {@code switch (act)} like the zoo's ConvBnAct: javac puts the
 * switch table in the synthetic {@code LateStem$1}, first loaded when forward runs. 4 sites.
 */
public final class LateStem extends Module {
  private final LinearImpl fc;
  private final LateAct act;

  LateStem(long width, LateAct act) {
    this.fc = register_module("fc", new LinearImpl(width, width));
    this.act = act;
  }

  public Tensor forward(Tensor x) {
    Tensor y = fc.forward(x);
    return switch (act) {
      case RELU -> y.relu();
      case TANH -> y.tanh();
      case SIGMOID -> torch.sigmoid(y);
    };
  }
}
