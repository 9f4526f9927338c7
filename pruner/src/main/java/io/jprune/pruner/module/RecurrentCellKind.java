package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LSTMCell, GRUCell and RNNCell: one time step, which the model loops over in Java. Hidden channel
 * j is rows {@code g * H + j} of every gate block of {@code weight_ih}, {@code weight_hh} and the
 * biases, and column j of {@code weight_hh}; input channels are {@code weight_ih} columns. The
 * state passed in (h, and c for LSTMCell) holds the hidden channels: from the previous step of the
 * same cell it is the same channels, so the loop prunes as one; a state no pruned layer produced
 * (zeros made in forward, an input) fixes the hidden width, and {@code describe()} says so. {@code
 * input_size} and {@code hidden_size} follow. Exact for the same reason as {@link RecurrentKind}.
 * MACs per sample: G * H * (input + H) + 2 * G * H.
 */
final class RecurrentCellKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("LSTMCellImpl", "GRUCellImpl", "RNNCellImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    int gates = RecurrentKind.gates(ModuleLabels.type(call));
    String ih = ModuleLabels.param(call, "weight_ih");
    String hh = ModuleLabels.param(call, "weight_hh");
    int h = (int) labels.parameterShape(hh).get(1);
    TensorRef input = call.tensorInputs().get(0);
    int[] in = labels.channelAtoms(input, input.rank() - 1);
    int[] hidden = labels.freshAtoms(h);
    List<TensorRef> states = RecurrentKind.initialStates(call);
    boolean fixed = false;
    for (TensorRef state : states) {
      int[] passed = labels.channelAtoms(state, state.rank() - 1);
      for (int j = 0; j < h; j++) {
        fixed |= labels.isFixed(passed[j]);
        hidden[j] = labels.join(hidden[j], passed[j]);
      }
    }
    if (fixed) {
      labels.note(
          call.modulePath()
              + " ("
              + ModuleLabels.type(call)
              + "): hidden width "
              + h
              + " is fixed by the state passed to forward, which no pruned layer produces");
    }
    for (int i = 0; i < in.length; i++) {
      labels.bindInput(ih, 1, i, in[i]);
    }
    for (int j = 0; j < h; j++) {
      labels.bindInput(hh, 1, j, hidden[j]);
      for (int g = 0; g < gates; g++) {
        long row = (long) g * h + j;
        labels.bindOutput(ih, 0, row, hidden[j]);
        labels.bindOutput(hh, 0, row, hidden[j]);
        for (String b : List.of("bias_ih", "bias_hh")) {
          if (labels.hasParameter(ModuleLabels.param(call, b))) {
            labels.bindOutput(ModuleLabels.param(call, b), 0, row, hidden[j]);
          }
        }
      }
    }
    for (TensorRef out : call.tensorOutputs()) {
      labels.setChannels(out, out.rank() - 1, hidden);
    }
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String holder : List.of("", "options_base#")) {
      out.put(holder + "input_size", new long[] {change.shapeAfter("weight_ih")[1]});
      out.put(holder + "hidden_size", new long[] {change.shapeAfter("weight_hh")[1]});
    }
    return out;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    int gates = RecurrentKind.gates(ModuleLabels.type(call));
    long[] ih = cost.paramShape(ModuleLabels.param(call, "weight_ih"));
    long h = cost.paramShape(ModuleLabels.param(call, "weight_hh"))[1];
    TensorRef input = call.tensorInputs().get(0);
    long samples = cost.kept(input) / cost.size(input, -1);
    boolean bias = cost.hasParameter(ModuleLabels.param(call, "bias_ih"));
    return samples * (gates * h * (ih[1] + h) + (bias ? 2L * gates * h : 0));
  }
}
