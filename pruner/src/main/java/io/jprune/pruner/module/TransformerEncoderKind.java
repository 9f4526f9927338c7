package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TransformerEncoderLayerImpl and TransformerEncoderImpl (its layers and optional final norm),
 * whose forward is native: the tracer sees one call, so the structure comes from the parameter
 * names ({@code [layers.K.]self_attn.*}, {@code linear1}, {@code linear2}, {@code norm1},
 * {@code norm2}, {@code norm}). Post-norm layers: {@code norm1(x + self_attn(x))}, then
 * {@code norm2(x + linear2(act(linear1(x))))}.
 *
 * <ul>
 *   <li>d_model: one stream through every layer (the residuals), coupled with what the encoder
 *       reads and writes; each layer's attention couples it as {@link MultiheadAttentionKind}
 *       does (head dims and whole heads), the norms follow it (inexact: LayerNorm), linear1's
 *       columns and linear2's rows.
 *   <li>dim_feedforward: each layer's own channels (linear1 rows and bias, linear2 columns),
 *       exact (ReLU and GELU keep zeros).
 * </ul>
 * Options follow: the attention's (embed_dim, num_heads, ...), the linears', the norms'
 * normalized_shape (forward checks it) and the layer's d_model, nhead, dim_feedforward. A 3-D
 * {@code src_mask} would tie the head count. MACs: per layer, the attention's, the two linears
 * and the two norms (x 2, affine).
 */
final class TransformerEncoderKind implements ModuleKind {
  private static final int SRC_MASK = 1;
  private static final int KEY_PADDING_MASK = 2;

  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("TransformerEncoderLayerImpl", "TransformerEncoderImpl");
  }

  /** Parameter prefixes of the layers: "" for a layer, "layers.K." in an encoder. */
  private static List<String> layers(TracedCall call, ParamCheck has) {
    List<String> out = new ArrayList<>();
    if (has.test(ModuleLabels.param(call, "linear1.weight"))) {
      out.add("");
      return out;
    }
    for (int k = 0; has.test(ModuleLabels.param(call, "layers." + k + ".linear1.weight")); k++) {
      out.add("layers." + k + ".");
    }
    return out;
  }

  /** Whether a registered parameter exists. */
  private interface ParamCheck {
    boolean test(String name);
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef src = MultiheadAttentionKind.tensorArg(call, 0);
    if (src == null || src.rank() != 3) {
      throw labels.unsupported(call, "expected src [S, N, E]");
    }
    TensorRef srcMask = MultiheadAttentionKind.tensorArg(call, SRC_MASK);
    boolean headsFixed = srcMask != null && srcMask.rank() == 3;
    int[] stream = labels.channelAtoms(src, 2);
    for (String layer : layers(call, labels::hasParameter)) {
      // the norms first: their reason (LayerNorm) is the one each stream channel reports
      norm(call, labels, layer + "norm1", stream);
      norm(call, labels, layer + "norm2", stream);
      stream = MultiheadAttentionKind.attend(call, labels, layer + "self_attn.", stream,
          stream.clone(), stream.clone(), headsFixed);
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
    norm(call, labels, "norm", stream);
    for (int arg : new int[] {SRC_MASK, KEY_PADDING_MASK}) {
      TensorRef mask = MultiheadAttentionKind.tensorArg(call, arg);
      if (mask != null) {
        labels.fixAll(mask);
      }
    }
    labels.setChannels(call.outputTensor(), 2, stream);
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
    long width = change.output()[change.output().length - 1];
    List<String> prefixes = new ArrayList<>();
    if (change.shapeAfter("linear1.weight") != null) {
      prefixes.add("");
    }
    for (int k = 0; change.shapeAfter("layers." + k + ".linear1.weight") != null; k++) {
      prefixes.add("layers." + k + ".");
    }
    for (String layer : prefixes) {
      MultiheadAttentionKind.options(change, layer + "self_attn.", out);
      long ff = change.shapeAfter(layer + "linear1.weight")[0];
      out.put(layer + "linear1.in_features", new long[] {width});
      out.put(layer + "linear1.out_features", new long[] {ff});
      out.put(layer + "linear2.in_features", new long[] {ff});
      out.put(layer + "linear2.out_features", new long[] {width});
      out.put(layer + "norm1.normalized_shape", new long[] {width});
      out.put(layer + "norm2.normalized_shape", new long[] {width});
      out.put(layer + "d_model", new long[] {width});
      out.put(layer + "nhead", out.get(layer + "self_attn.num_heads"));
      out.put(layer + "dim_feedforward", new long[] {ff});
    }
    if (change.shapeAfter("norm.weight") != null) {
      out.put("norm.normalized_shape", new long[] {width});
    }
    return out;
  }

  @Override
  public boolean ownsSubmoduleParameters() {
    return true;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    TensorRef src = call.tensorInputs().get(0);
    long s = cost.size(src, 0);
    long n = cost.size(src, 1);
    long e = cost.size(call.outputTensor(), 2);
    long tokens = s * n;
    long total = 0;
    for (String layer : layers(call, cost::hasParameter)) {
      long ff = cost.paramShape(ModuleLabels.param(call, layer + "linear1.weight"))[0];
      long attention = 4 * tokens * e * e + 2 * n * s * s * e + 4 * tokens * e;
      long mlp = tokens * e * ff + tokens * ff + tokens * ff * e + tokens * e;
      total += attention + mlp + 2 * 2 * tokens * e;
    }
    return total + (cost.hasParameter(ModuleLabels.param(call, "norm.weight")) ? 2 * tokens * e
        : 0);
  }
}
