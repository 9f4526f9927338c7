package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Parameters and multiply-accumulates of one row of a {@link ModelCost}: a built-in module (all its
 * calls added up) or a matmul-family op inside one module.
 *
 * @param name module path ({@code layer1.0.conv1}) or {@code module/op#n} for a matmul ({@code
 *     blocks.0.attn/matmul#1}, the second matmul traced inside {@code blocks.0.attn})
 * @param type short type: {@code Conv2d}, {@code Linear}, {@code matmul}
 * @param params parameter elements of the module (0 for ops)
 * @param macs multiply-accumulates of all its traced calls
 * @param calls number of traced calls added up
 */
public record LayerCost(String name, String type, long params, long macs, int calls) {
  /** Checks that the name and type are present and the counts not negative. */
  public LayerCost {
    checkNotNull(name, "name");
    checkNotNull(type, "type");
    checkArgument(params >= 0, "params of %s must be >= 0, got %s", name, params);
    checkArgument(macs >= 0, "MACs of %s must be >= 0, got %s", name, macs);
    checkArgument(calls >= 0, "calls of %s must be >= 0, got %s", name, calls);
  }

  LayerCost plus(long moreMacs) {
    return new LayerCost(name, type, params, macs + moreMacs, calls + 1);
  }
}
