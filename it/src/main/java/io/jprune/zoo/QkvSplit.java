package io.jprune.zoo;

/** How {@link Attention} splits the stacked q/k/v tensor: the two idioms a pruner meets. */
public enum QkvSplit {
  /**
   * {@code qkv.select(0, 0)}, {@code select(0, 1)}, {@code select(0, 2)}: DINO's {@code qkv[0]}.
   */
  SELECT,
  /** {@code qkv.unbind(0)}: timm's {@code q, k, v = qkv.unbind(0)}. */
  UNBIND
}
