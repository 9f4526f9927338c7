package io.jprune.zoo;

import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SharedModuleVector;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Gives every normalization layer (BatchNorm, LayerNorm, GroupNorm) seeded, non-trivial affine
 * parameters and running statistics. Fresh libtorch norms are identities (weight 1, bias 0, mean 0,
 * var 1), so a channel pruned or kept by mistake could pass a masked-vs-pruned comparison by
 * accident; with distinct per-channel values it cannot.
 */
final class SeededNorms {
  private SeededNorms() {}

  /** Draws from the global generator, so call it right after seeding and building the model. */
  static void randomize(Module root) {
    try (NoGradGuard noGrad = new NoGradGuard()) {
      SharedModuleVector modules = root.modules(true);
      for (long i = 0; i < modules.size(); i++) {
        Module m = modules.get(i);
        if (isNorm(m.name().getString())) {
          randomizeOne(m);
        }
      }
    }
  }

  private static boolean isNorm(String cppType) {
    return cppType.startsWith("torch::nn::BatchNorm")
        || cppType.equals("torch::nn::LayerNormImpl")
        || cppType.equals("torch::nn::GroupNormImpl");
  }

  private static void randomizeOne(Module norm) {
    fill(norm.named_parameters(false), "weight", 0.5, 1.5);
    fill(norm.named_parameters(false), "bias", -0.2, 0.2);
    fill(norm.named_buffers(false), "running_mean", -0.2, 0.2);
    fill(norm.named_buffers(false), "running_var", 0.5, 1.5);
  }

  private static void fill(StringTensorDict tensors, String name, double from, double to) {
    for (long i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).key().getString().equals(name)) {
        Tensor t = tensors.get(i).value();
        t.uniform_(from, to, new GeneratorOptional());
      }
    }
  }
}
