package io.jprune.zoo;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * MobileNetV2's inverted residual: 1x1 expand (skipped when the ratio is 1), 3x3 depthwise conv
 * ({@code groups} = channels), linear 1x1 projection, and a residual add when shapes allow.
 * Children are named {@code expand}, {@code depthwise}, {@code project}, {@code project_bn} rather
 * than torchvision's nested {@code conv.N.M}.
 */
public final class InvertedResidual extends Module {
  private final ConvBnAct expand;
  private final ConvBnAct depthwise;
  private final Conv2dImpl project;
  private final BatchNorm2dImpl projectBn;
  private final boolean useResidual;

  InvertedResidual(long in, long out, long stride, long expandRatio) {
    long hidden = in * expandRatio;
    useResidual = stride == 1 && in == out;
    expand =
        expandRatio == 1
            ? null
            : register_module("expand", new ConvBnAct(in, hidden, 1, 1, Activation.RELU6));
    depthwise =
        register_module(
            "depthwise", new ConvBnAct(hidden, hidden, 3, stride, hidden, Activation.RELU6));
    project = register_module("project", Layers.conv2d(hidden, out, 1, 1, 0, false));
    projectBn = register_module("project_bn", Layers.batchNorm2d(out));
  }

  public Tensor forward(Tensor x) {
    Tensor h = expand == null ? x : expand.forward(x);
    h = depthwise.forward(h);
    h = projectBn.forward(project.forward(h));
    return useResidual ? x.add(h) : h;
  }
}
