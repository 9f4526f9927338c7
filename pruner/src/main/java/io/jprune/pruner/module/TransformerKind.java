package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's transformer modules, whose forward is native (the tracer sees one call), described
 * from their parameter names: TransformerEncoderLayerImpl, TransformerEncoderImpl ({@code
 * layers.K.}, optional {@code norm}), TransformerDecoderLayerImpl, TransformerDecoderImpl and
 * TransformerImpl ({@code encoder.}, {@code decoder.}). Post-norm layers: {@code norm1(x +
 * self_attn(x))}, in a decoder layer {@code norm2(x + multihead_attn(x, memory))}, then {@code
 * normN(x + linear2(act(linear1(x))))}.
 *
 * <ul>
 *   <li>d_model: one stream through every layer (the residuals), coupled with what the module reads
 *       and writes; each attention couples it as {@link MultiheadAttentionKind} does (head dims and
 *       whole heads); the cross-attention's packed projection ties the memory (the encoder's
 *       output) to the same channels; the norms follow it (inexact: LayerNorm), linear1's columns
 *       and linear2's rows.
 *   <li>dim_feedforward: each layer's own channels (linear1 rows and bias, linear2 columns), exact
 *       (ReLU and GELU keep zeros).
 * </ul>
 *
 * Options follow: the attentions' (embed_dim, num_heads, ...), the linears', the norms'
 * normalized_shape (forward checks it) and each layer's d_model, nhead, dim_feedforward. Masks
 * carry no channels (a 3-D self-attention mask would tie the head count). MACs: per layer, the
 * attentions', the two linears and the norms (x 2, affine).
 */
final class TransformerKind implements ModuleKind {
  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of(
        "TransformerEncoderLayerImpl",
        "TransformerEncoderImpl",
        "TransformerDecoderLayerImpl",
        "TransformerDecoderImpl",
        "TransformerImpl");
  }

  /** Whether a registered parameter exists. */
  private interface ParamCheck {
    boolean test(String name);
  }

  /** Layer prefixes under {@code stack} ("" or "encoder." ...): "" for a single layer. */
  private static List<String> layers(TracedCall call, ParamCheck has, String stack) {
    List<String> out = new ArrayList<>();
    if (has.test(ModuleLabels.param(call, stack + "linear1.weight"))) {
      out.add(stack);
      return out;
    }
    for (int k = 0;
        has.test(ModuleLabels.param(call, stack + "layers." + k + ".linear1.weight"));
        k++) {
      out.add(stack + "layers." + k + ".");
    }
    return out;
  }

  private static boolean isDecoderLayer(TracedCall call, ParamCheck has, String layer) {
    return has.test(ModuleLabels.param(call, layer + "multihead_attn.out_proj.weight"));
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    String type = ModuleLabels.type(call);
    TensorRef first = MultiheadAttentionKind.tensorArg(call, 0);
    TensorRef second = MultiheadAttentionKind.tensorArg(call, 1);
    if (first == null || first.rank() != 3) {
      throw labels.unsupported(call, "expected a first input [S, N, E]");
    }
    int[] out;
    if (type.startsWith("TransformerEncoder")) {
      second = null; // src_mask
      out = stack(call, labels, "", labels.channelAtoms(first, 2), null);
    } else if (type.startsWith("TransformerDecoder")) {
      if (second == null) {
        throw labels.unsupported(call, "expected tgt and memory");
      }
      out = stack(call, labels, "", labels.channelAtoms(first, 2), labels.channelAtoms(second, 2));
    } else {
      if (second == null) {
        throw labels.unsupported(call, "expected src and tgt");
      }
      int[] memory = stack(call, labels, "encoder.", labels.channelAtoms(first, 2), null);
      out = stack(call, labels, "decoder.", labels.channelAtoms(second, 2), memory);
    }
    for (TensorRef in : call.tensorInputs()) {
      if (in != first && in != second) {
        labels.fixAll(in); // masks
      }
    }
    labels.setChannels(call.outputTensor(), 2, out);
  }

  /** The layers under {@code stack} and its final norm; returns the stream it writes. */
  private static int[] stack(
      TracedCall call, ModuleLabels labels, String stack, int[] stream, int[] memory) {
    for (String layer : layers(call, labels::hasParameter, stack)) {
      // the norms first: their reason (LayerNorm) is the one each stream channel reports
      for (String n : List.of("norm1", "norm2", "norm3")) {
        norm(call, labels, layer + n, stream);
      }
      stream =
          MultiheadAttentionKind.attend(
              call, labels, layer + "self_attn.", stream, stream.clone(), stream.clone(), false);
      if (memory != null && isDecoderLayer(call, labels::hasParameter, layer)) {
        stream =
            MultiheadAttentionKind.attend(
                call,
                labels,
                layer + "multihead_attn.",
                stream,
                memory.clone(),
                memory.clone(),
                false);
      }
      String linear1 = ModuleLabels.param(call, layer + "linear1.weight");
      String linear2 = ModuleLabels.param(call, layer + "linear2.weight");
      for (int i = 0; i < stream.length; i++) {
        labels.bindInput(linear1, 1, i, stream[i]);
      }
      int[] hidden = labels.freshAtoms((int) labels.parameterShape(linear1).get(0));
      labels.bindProducer(linear1, 0, ModuleLabels.param(call, layer + "linear1.bias"), hidden);
      for (int f = 0; f < hidden.length; f++) {
        labels.bindInput(linear2, 1, f, hidden[f]);
      }
      labels.bindProducer(linear2, 0, ModuleLabels.param(call, layer + "linear2.bias"), stream);
    }
    norm(call, labels, stack + "norm", stream);
    return stream;
  }

  /** A LayerNorm over the stream, when the module has it: affine follows, inexact. */
  private static void norm(TracedCall call, ModuleLabels labels, String local, int[] stream) {
    String weight = ModuleLabels.param(call, local + ".weight");
    if (!labels.hasParameter(weight)) {
      return;
    }
    String bias = ModuleLabels.param(call, local + ".bias");
    String why = "LayerNorm " + ModuleLabels.param(call, local) + " normalises across channels";
    for (int i = 0; i < stream.length; i++) {
      labels.bindOutput(weight, 0, i, stream[i]);
      if (labels.hasParameter(bias)) {
        labels.bindOutput(bias, 0, i, stream[i]);
      }
      labels.markInexact(stream[i], why);
    }
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    Map<String, long[]> out = new LinkedHashMap<>();
    ParamCheck has = n -> change.shapeAfter(n) != null;
    long width = change.output()[change.output().length - 1];
    List<String> stacks =
        has.test("encoder.norm.weight")
                || has.test("decoder.norm.weight")
                || has.test("encoder.layers.0.linear1.weight")
            ? List.of("encoder.", "decoder.")
            : List.of("");
    long heads = -1;
    long ff = -1;
    for (String stack : stacks) {
      for (String layer : localLayers(has, stack)) {
        MultiheadAttentionKind.options(change, layer + "self_attn.", out);
        if (has.test(layer + "multihead_attn.out_proj.weight")) {
          MultiheadAttentionKind.options(change, layer + "multihead_attn.", out);
        }
        ff = change.shapeAfter(layer + "linear1.weight")[0];
        heads = out.get(layer + "self_attn.num_heads")[0];
        out.put(layer + "linear1.in_features", new long[] {width});
        out.put(layer + "linear1.out_features", new long[] {ff});
        out.put(layer + "linear2.in_features", new long[] {ff});
        out.put(layer + "linear2.out_features", new long[] {width});
        for (String n : List.of("norm1", "norm2", "norm3")) {
          if (has.test(layer + n + ".weight")) {
            out.put(layer + n + ".normalized_shape", new long[] {width});
          }
        }
        out.put(layer + "d_model", new long[] {width});
        out.put(layer + "nhead", new long[] {heads});
        out.put(layer + "dim_feedforward", new long[] {ff});
      }
      if (has.test(stack + "norm.weight")) {
        out.put(stack + "norm.normalized_shape", new long[] {width});
      }
    }
    if (stacks.size() == 2) {
      out.put("d_model", new long[] {width});
      out.put("nhead", new long[] {heads});
      out.put("dim_feedforward", new long[] {ff});
    }
    return out;
  }

  private static List<String> localLayers(ParamCheck has, String stack) {
    List<String> out = new ArrayList<>();
    if (has.test(stack + "linear1.weight")) {
      out.add(stack);
      return out;
    }
    for (int k = 0; has.test(stack + "layers." + k + ".linear1.weight"); k++) {
      out.add(stack + "layers." + k + ".");
    }
    return out;
  }

  @Override
  public boolean ownsSubmoduleParameters() {
    return true;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    String type = ModuleLabels.type(call);
    TensorRef first = call.tensorInputs().get(0);
    long e = cost.size(call.outputTensor(), 2);
    if (type.equals("TransformerImpl")) {
      TensorRef tgt = call.tensorInputs().get(1);
      long s = cost.size(first, 0);
      return stackMacs(call, cost, "encoder.", s, s, cost.size(first, 1), e)
          + stackMacs(call, cost, "decoder.", cost.size(tgt, 0), s, cost.size(tgt, 1), e);
    }
    long source =
        type.startsWith("TransformerDecoder")
            ? cost.size(call.tensorInputs().get(1), 0)
            : cost.size(first, 0);
    return stackMacs(call, cost, "", cost.size(first, 0), source, cost.size(first, 1), e);
  }

  /** MACs of the layers under {@code stack}: l target positions, s memory positions. */
  private static long stackMacs(
      TracedCall call, CallCost cost, String stack, long l, long s, long n, long e) {
    long tokens = l * n;
    long total = 0;
    for (String layer : layers(call, cost::hasParameter, stack)) {
      long ff = cost.paramShape(ModuleLabels.param(call, layer + "linear1.weight"))[0];
      total += 4 * tokens * e * e + 2 * n * l * l * e + 4 * tokens * e;
      int norms = 2;
      if (isDecoderLayer(call, cost::hasParameter, layer)) {
        total +=
            2 * tokens * e * e + 2 * s * n * e * e + 2 * n * l * s * e + (2 * l + 2 * s) * n * e;
        norms = 3;
      }
      total +=
          tokens * e * ff + tokens * ff + tokens * ff * e + tokens * e + norms * 2 * tokens * e;
    }
    return total
        + (cost.hasParameter(ModuleLabels.param(call, stack + "norm.weight")) ? 2 * tokens * e : 0);
  }
}
