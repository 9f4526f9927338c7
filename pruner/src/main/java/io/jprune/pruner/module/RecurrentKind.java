package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LSTM, GRU and RNN layers (any number of layers, bidirectional, LSTM's proj_size).
 *
 * <p>libtorch has one {@code hidden_size} for every layer and direction, so hidden channel j is one
 * channel everywhere (as Torch-Pruning prunes them): rows {@code g * H + j} of every gate block g
 * (4 for LSTM: i, f, g, o; 3 for GRU: r, z, n; 1 for RNN) of each {@code weight_ih_lK}, {@code
 * weight_hh_lK} and their biases, column j of {@code weight_hh_lK} (the recurrence) and of {@code
 * weight_hr_lK}. The output of a layer, [.., D * P], feeds the next layer's {@code weight_ih}
 * columns (j for the forward half, P + j for the reverse half), where P is {@code proj_size}
 * (channels of its own, rows of {@code weight_hr}) or H. Input channels are layer 0's {@code
 * weight_ih} columns, coupled with whatever produced them. {@code hidden_size}, {@code proj_size}
 * and {@code input_size} follow.
 *
 * <p>Exact: a removed hidden channel has zero gate pre-activations, so with a zero initial state it
 * stays zero (LSTM: c = 0.5 c + 0.5 tanh(0); GRU: h = 0.5 tanh(0) + 0.5 h; RNN: tanh/relu(0)). An
 * initial state passed to forward (h0, c0) that no pruned layer produced fixes the width it holds;
 * {@code describe()} says so.
 *
 * <p>MACs per time step and sample, for each layer and direction: G * H * (input + P) for the
 * gates, + H * P for the projection, + 2 * G * H for the biases.
 */
final class RecurrentKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("LSTMImpl", "GRUImpl", "RNNImpl");
  }

  /** Gate blocks per hidden channel. */
  static int gates(String type) {
    return type.startsWith("LSTM") ? 4 : type.startsWith("GRU") ? 3 : 1;
  }

  /** The layout a traced call reads from its parameters. */
  private record Layout(int gates, int layers, int directions, int hidden, int proj) {
    static Layout of(TracedCall call, ParamShapes shapes) {
      int g = RecurrentKind.gates(ModuleLabels.type(call));
      int layers = 0;
      while (shapes.shape(ModuleLabels.param(call, "weight_ih_l" + layers)) != null) {
        layers++;
      }
      int dirs = shapes.shape(ModuleLabels.param(call, "weight_ih_l0_reverse")) != null ? 2 : 1;
      int hidden = (int) shapes.shape(ModuleLabels.param(call, "weight_hh_l0"))[0] / g;
      long[] hr = shapes.shape(ModuleLabels.param(call, "weight_hr_l0"));
      return new Layout(g, layers, dirs, hidden, hr == null ? hidden : (int) hr[0]);
    }

    boolean projected() {
      return proj != hidden;
    }
  }

  /** Parameter shapes, traced or after a removal (null when absent). */
  private interface ParamShapes {
    long[] shape(String name);
  }

  static String suffix(int layer, int direction) {
    return "_l" + layer + (direction == 1 ? "_reverse" : "");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    Layout l =
        Layout.of(call, n -> labels.hasParameter(n) ? labels.parameterShape(n).toArray() : null);
    TensorRef input = call.tensorInputs().get(0);
    int[] previous = labels.channelAtoms(input, input.rank() - 1);
    int[] hidden = labels.freshAtoms(l.hidden);
    int[] proj = l.projected() ? labels.freshAtoms(l.proj) : hidden;
    for (int k = 0; k < l.layers; k++) {
      int[] out = new int[l.directions * l.proj];
      for (int d = 0; d < l.directions; d++) {
        bindDirection(call, labels, l, suffix(k, d), previous, hidden, proj);
        System.arraycopy(proj, 0, out, d * l.proj, l.proj);
      }
      previous = out;
    }
    List<TensorRef> outs = call.tensorOutputs();
    labels.setChannels(outs.get(0), outs.get(0).rank() - 1, previous);
    // h_n [D * layers, N, P] (and c_n [D * layers, N, H]): every row holds the same channels.
    if (outs.size() > 1) {
      labels.setChannels(outs.get(1), outs.get(1).rank() - 1, proj);
    }
    if (outs.size() > 2) {
      labels.setChannels(outs.get(2), outs.get(2).rank() - 1, hidden);
    }
    joinInitialStates(call, labels, proj, hidden);
  }

  /**
   * One direction of one layer (parameter suffix {@code s}): its input columns read the previous
   * layer's channels, every gate's rows are the hidden channels, and the recurrent columns (through
   * weight_hr when projected) are the projected ones.
   */
  private static void bindDirection(
      TracedCall call,
      ModuleLabels labels,
      Layout l,
      String s,
      int[] previous,
      int[] hidden,
      int[] proj) {
    String ih = ModuleLabels.param(call, "weight_ih" + s);
    String hh = ModuleLabels.param(call, "weight_hh" + s);
    for (int i = 0; i < previous.length; i++) {
      labels.bindInput(ih, 1, i, previous[i]);
    }
    for (int j = 0; j < l.hidden; j++) {
      for (int g = 0; g < l.gates; g++) {
        long row = (long) g * l.hidden + j;
        labels.bindOutput(ih, 0, row, hidden[j]);
        labels.bindOutput(hh, 0, row, hidden[j]);
        for (String b : List.of("bias_ih", "bias_hh")) {
          if (labels.hasParameter(ModuleLabels.param(call, b + s))) {
            labels.bindOutput(ModuleLabels.param(call, b + s), 0, row, hidden[j]);
          }
        }
      }
    }
    for (int p = 0; p < l.proj; p++) {
      labels.bindInput(hh, 1, p, proj[p]);
    }
    if (l.projected()) {
      String hr = ModuleLabels.param(call, "weight_hr" + s);
      for (int p = 0; p < l.proj; p++) {
        labels.bindOutput(hr, 0, p, proj[p]);
      }
      for (int j = 0; j < l.hidden; j++) {
        labels.bindInput(hr, 1, j, hidden[j]);
      }
    }
  }

  /**
   * h0 (and c0) passed to forward carry the hidden (cell) channels; when no pruned layer produces
   * them, their width is fixed, and a note says so.
   */
  private static void joinInitialStates(
      TracedCall call, ModuleLabels labels, int[] proj, int[] hidden) {
    List<TensorRef> states = initialStates(call);
    for (int i = 0; i < states.size(); i++) {
      TensorRef state = states.get(i);
      int[] atoms = i == 0 ? proj : hidden;
      int[] passed = labels.channelAtoms(state, state.rank() - 1);
      boolean fixed = false;
      for (int c = 0; c < atoms.length; c++) {
        fixed |= labels.isFixed(passed[c]);
        labels.join(atoms[c], passed[c]);
      }
      if (fixed) {
        labels.note(
            call.modulePath()
                + " ("
                + ModuleLabels.type(call)
                + "): "
                + (i == 0 ? "hidden" : "cell")
                + " width "
                + atoms.length
                + " is fixed by the "
                + "initial state passed to forward ("
                + (i == 0 ? "h0" : "c0")
                + "), which no "
                + "pruned layer produces");
      }
    }
  }

  /** h0 (and c0) when the call passed them: the tensors after the input. */
  static List<TensorRef> initialStates(TracedCall call) {
    List<TensorRef> out = new ArrayList<>();
    for (int i = 1; i < call.args().size(); i++) {
      Value v = call.args().get(i);
      if (v instanceof Value.TensorValue t) {
        out.add(t.tensor());
      } else if (v instanceof Value.TensorListValue list) {
        out.addAll(list.tensors());
      }
    }
    return out;
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    Map<String, long[]> out = new LinkedHashMap<>();
    long[] hr = change.shapeAfter("weight_hr_l0");
    // weight_hh is [G * H, P]; with a projection, weight_hr [P, H] holds H
    long hidden = hr != null ? hr[1] : change.shapeAfter("weight_hh_l0")[1];
    // forward checks its input and states against options_base, a copy of options
    for (String holder : List.of("", "options_base#")) {
      out.put(holder + "input_size", new long[] {change.shapeAfter("weight_ih_l0")[1]});
      out.put(holder + "hidden_size", new long[] {hidden});
      if (hr != null) {
        out.put(holder + "proj_size", new long[] {hr[0]});
      }
    }
    return out;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    Layout l = Layout.of(call, n -> cost.hasParameter(n) ? cost.paramShape(n) : null);
    TensorRef input = call.tensorInputs().get(0);
    long steps = cost.kept(input) / cost.size(input, -1);
    long perStep = 0;
    for (int k = 0; k < l.layers; k++) {
      for (int d = 0; d < l.directions; d++) {
        String s = suffix(k, d);
        long in = cost.paramShape(ModuleLabels.param(call, "weight_ih" + s))[1];
        perStep +=
            (long) l.gates * l.hidden * (in + l.proj)
                + (l.projected() ? (long) l.hidden * l.proj : 0)
                + (cost.hasParameter(ModuleLabels.param(call, "bias_ih" + s))
                    ? 2L * l.gates * l.hidden
                    : 0);
      }
    }
    return steps * perStep;
  }
}
