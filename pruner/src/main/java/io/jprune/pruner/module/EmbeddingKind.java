package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.Map;

/**
 * EmbeddingImpl: indices in, {@code [..., dim]} out; output channel d is weight column d. {@code
 * embedding_dim} follows; a lookup costs no MACs.
 */
final class EmbeddingKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("EmbeddingImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef out = call.outputTensor();
    String weight = ModuleLabels.param(call, "weight");
    int[] atoms = labels.freshAtoms((int) out.size(-1));
    for (int d = 0; d < atoms.length; d++) {
      labels.bindOutput(weight, 1, d, atoms[d]);
    }
    labels.setChannels(out, out.rank() - 1, atoms);
  }

  /** The embedding width is the weight's columns. */
  @Override
  public boolean shapesAgree(CallShapes shapes) {
    return LinearKind.last(shapes.output().toArray()) == shapes.weight().toArray()[1];
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    return Map.of("embedding_dim", new long[] {LinearKind.last(change.output())});
  }
}
