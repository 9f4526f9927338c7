package io.jprune.zoo;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** ViT patch embedding: a stride-{@code patch} conv, flattened to tokens {@code [B, N, dim]}. */
public final class PatchEmbed extends Module {
  private final Conv2dImpl proj;

  PatchEmbed(long inChannels, long dim, long patch) {
    proj = register_module("proj", Layers.conv2d(inChannels, dim, patch, patch, 0, true));
  }

  public Tensor forward(Tensor x) {
    return proj.forward(x).flatten(2, -1).transpose(1, 2);
  }
}
