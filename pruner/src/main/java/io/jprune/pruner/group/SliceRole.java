package io.jprune.pruner.group;

/** What a parameter slice is to the channel it belongs to. */
public enum SliceRole {
  /** Produces the channel (a layer's output row, bias, norm affine, a bare parameter's slice). */
  OUTPUT,
  /** Consumes the channel (an input column of the next layer's weight). */
  INPUT,
  /** State that follows the channel but is not zeroed by masking (BN running statistics). */
  STATE
}
