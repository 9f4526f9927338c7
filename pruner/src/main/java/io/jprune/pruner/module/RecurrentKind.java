package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TracedCall;

/**
 * LSTM, GRU, RNN and their cells, kept whole: their packed gate weights are not sliced; the
 * channels they read stay and their outputs are new fixed channels. Counted as 0 MACs.
 */
final class RecurrentKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("LSTMImpl", "GRUImpl", "RNNImpl", "LSTMCellImpl", "GRUCellImpl",
        "RNNCellImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    labels.keepWhole(call);
  }

  @Override
  public boolean keptWhole() {
    return true;
  }
}
