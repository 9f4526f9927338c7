package io.jprune.pruner.graph;

import io.jprune.tracer.TracedCall;

/**
 * Built-in modules whose weights jprune does not slice: MultiheadAttention (libtorch ties its inner
 * width to the input width, so heads cannot shrink on their own) and the recurrent layers. The
 * module stays as it is: the channels of every tensor it reads are kept, and its outputs start new
 * fixed channels. The rest of the model prunes as usual, exactly.
 */
final class KeptWholeRule implements OpRule {
  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    pass.keepWhole(call);
  }
}
