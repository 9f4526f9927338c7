package io.jprune.pruner.importance;

import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.SliceRole;

/**
 * Which slices are a normalisation layer's scale (gamma). Criteria see parameter names and shapes,
 * not module types, so the rule is structural: an OUTPUT slice along dim 0 of a rank-1 parameter
 * named {@code *.weight}. Conv and Linear weights have rank >= 2, so this picks BatchNorm,
 * GroupNorm, LayerNorm (1-D normalized_shape), InstanceNorm (affine) and RMSNorm scales — and also
 * any other rank-1 {@code .weight}, e.g. a per-channel PReLU slope. With {@code batchNormOnly} the
 * parameter must also have a sibling {@code running_var} buffer, which only BatchNorm (and
 * InstanceNorm tracking running stats) registers.
 *
 * @param batchNormOnly whether a sibling {@code running_var} is required
 */
record NormWeightRule(boolean batchNormOnly) {

  boolean test(ParamSlice s, ImportanceContext ctx) {
    String name = s.param();
    if (s.role() != SliceRole.OUTPUT
        || s.dim() != 0
        || s.convGroup() >= 0
        || !(name.equals("weight") || name.endsWith(".weight"))) {
      return false;
    }
    if (ctx.tensor(name).dim() != 1) {
      return false;
    }
    return !batchNormOnly
        || ctx.contains(name.substring(0, name.length() - "weight".length()) + "running_var");
  }

  @Override
  public String toString() {
    return batchNormOnly ? "batchnorm gamma" : "rank-1 .weight";
  }
}
