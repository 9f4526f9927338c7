package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MultiheadAttentionImpl on query [L, N, E] and key/value [S, N, E] (or kdim/vdim wide).
 *
 * <p>libtorch has one {@code embed_dim}: the query's width, the width of q, k and v, and the
 * output's width. So channel i of the query stream is also row i of the q, k and v blocks of {@code
 * in_proj_weight} [3E, E] (rows i, E + i, 2E + i), its column i, {@code in_proj_bias} i / E + i /
 * 2E + i, {@code bias_k}/{@code bias_v} i, and row and column i of {@code out_proj}: they go
 * together, coupled with the stream the layer reads and writes (as Torch-Pruning does). With the
 * same {@code in_proj_weight} columns for all three, key and value channel i join too. With
 * separate projections (kdim != E), the key and value channels are columns of {@code
 * k_proj_weight}/{@code v_proj_weight} and prune apart from the embed dim ({@code kdim}/{@code
 * vdim} follow); libtorch requires key and value of the same shape, so key channel j and value
 * channel j go together.
 *
 * <p>Heads: channel i is in head {@code i / head_dim}. Every head keeps as many channels (the same
 * positions, so that the heads stay interchangeable), or whole heads go; {@code embed_dim} and
 * {@code num_heads} follow (forward derives head_dim from them). Key-padding masks [N, S] and 2-D
 * attention masks [L, S] carry no channels and stay valid as they are. A 3-D {@code attn_mask} [N *
 * num_heads, L, S] would tie the head count, so with one heads only lose dims (libtorch 2.10's C++
 * forward rejects 3-D masks anyway: "output with shape [8, 5, 5] doesn't match the broadcast shape
 * [1, 8, 5, 5]").
 *
 * <p>Exactness: the scores are scaled by 1/sqrt(head_dim); a head that loses part of its dims is
 * rescaled, so such a removal is not exactly the masked original (whole heads are). The attention
 * weights output (averaged over heads) is kept as it is.
 *
 * <p>MACs: the q, k, v and output projections, q.k^T and the weighted sum of v (biases added when
 * present). Its {@code out_proj} parameters are on its row; its options follow.
 */
final class MultiheadAttentionKind implements ModuleKind {
  private static final int KEY_PADDING_MASK = 3;
  private static final int ATTN_MASK = 5;

  @Override
  public ImmutableSet<String> types() {
    return ImmutableSet.of("MultiheadAttentionImpl");
  }

  @Override
  public void label(TracedCall call, ModuleLabels labels) {
    TensorRef query = tensorArg(call, 0);
    TensorRef key = tensorArg(call, 1);
    TensorRef value = tensorArg(call, 2);
    if (query == null || key == null || value == null || query.rank() != 3) {
      throw labels.unsupported(call, "expected query [L, N, E], key and value tensors");
    }
    TensorRef attnMask = tensorArg(call, ATTN_MASK);
    int[] atoms =
        attend(
            call,
            labels,
            "",
            labels.channelAtoms(query, 2),
            labels.channelAtoms(key, key.rank() - 1),
            labels.channelAtoms(value, value.rank() - 1),
            attnMask != null && attnMask.rank() == 3);
    for (TensorRef mask : new TensorRef[] {tensorArg(call, KEY_PADDING_MASK), attnMask}) {
      if (mask != null) {
        labels.fixAll(mask);
      }
    }
    List<TensorRef> outs = call.tensorOutputs();
    labels.setChannels(outs.get(0), 2, atoms);
    for (TensorRef weights : outs.subList(1, outs.size())) {
      labels.setFixed(weights);
    }
  }

  /**
   * Labels an attention whose parameters are under {@code prefix} of the called module ("" for
   * MultiheadAttention itself, "self_attn." in a transformer layer): binds its slices to the stream
   * channels {@code atoms} (the query's), joined with the key and value channels when the
   * projection is packed, and adds its heads.
   *
   * @return the stream channels, which are also its output channels
   */
  static int[] attend(
      TracedCall call,
      ModuleLabels labels,
      String prefix,
      int[] atoms,
      int[] keyAtoms,
      int[] valueAtoms,
      boolean headsFixed) {
    int heads = (int) labels.option(call, prefix + "num_heads")[0];
    String packed = ModuleLabels.param(call, prefix + "in_proj_weight");
    if (labels.hasParameter(packed)) {
      bindPacked(labels, packed, atoms, keyAtoms, valueAtoms);
    } else {
      bindSeparate(call, labels, prefix, atoms, keyAtoms, valueAtoms);
    }
    bindBiasesAndOutput(call, labels, prefix, atoms);
    addHeads(call, labels, prefix, atoms, heads, headsFixed);
    return atoms;
  }

  /** One in_proj [3E, E]: q, k and v channel i are one channel (rows i, E + i, 2E + i). */
  private static void bindPacked(
      ModuleLabels labels, String packed, int[] atoms, int[] keyAtoms, int[] valueAtoms) {
    int e = atoms.length;
    for (int i = 0; i < e; i++) {
      atoms[i] = labels.join(labels.join(atoms[i], keyAtoms[i]), valueAtoms[i]);
      labels.bindInput(packed, 1, i, atoms[i]);
      for (int block = 0; block < 3; block++) {
        labels.bindOutput(packed, 0, (long) block * e + i, atoms[i]);
      }
    }
  }

  /** q/k/v_proj of their own (kdim, vdim): key and value channel j are one channel. */
  private static void bindSeparate(
      TracedCall call,
      ModuleLabels labels,
      String prefix,
      int[] atoms,
      int[] keyAtoms,
      int[] valueAtoms) {
    if (keyAtoms.length != valueAtoms.length) {
      throw labels.unsupported(
          call,
          "key and value widths differ ("
              + keyAtoms.length
              + " and "
              + valueAtoms.length
              + "); libtorch requires equal key and value shapes");
    }
    for (int j = 0; j < keyAtoms.length; j++) {
      keyAtoms[j] = labels.join(keyAtoms[j], valueAtoms[j]);
      valueAtoms[j] = keyAtoms[j];
    }
    separate(call, labels, prefix + "q_proj_weight", atoms, atoms);
    separate(call, labels, prefix + "k_proj_weight", atoms, keyAtoms);
    separate(call, labels, prefix + "v_proj_weight", atoms, valueAtoms);
  }

  /** in_proj_bias, bias_k/bias_v and out_proj follow the stream channels. */
  private static void bindBiasesAndOutput(
      TracedCall call, ModuleLabels labels, String prefix, int[] atoms) {
    int e = atoms.length;
    String inBias = ModuleLabels.param(call, prefix + "in_proj_bias");
    for (int i = 0; i < e; i++) {
      if (labels.hasParameter(inBias)) {
        for (int block = 0; block < 3; block++) {
          labels.bindOutput(inBias, 0, (long) block * e + i, atoms[i]);
        }
      }
      for (String kv : List.of("bias_k", "bias_v")) {
        if (labels.hasParameter(ModuleLabels.param(call, prefix + kv))) {
          labels.bindOutput(ModuleLabels.param(call, prefix + kv), 2, i, atoms[i]);
        }
      }
      labels.bindInput(ModuleLabels.param(call, prefix + "out_proj.weight"), 1, i, atoms[i]);
    }
    labels.bindProducer(
        ModuleLabels.param(call, prefix + "out_proj.weight"),
        0,
        ModuleLabels.param(call, prefix + "out_proj.bias"),
        atoms);
  }

  /**
   * Heads are blocks of head_dim channels that lose equally many (whole heads may go unless a 3-D
   * attn_mask fixes their count); q.k's 1/sqrt(head_dim) makes partial heads inexact.
   */
  private static void addHeads(
      TracedCall call, ModuleLabels labels, String prefix, int[] atoms, int heads, boolean fixed) {
    int headDim = atoms.length / heads;
    String name = "MultiheadAttention " + ModuleLabels.param(call, prefix).replaceAll("\\.$", "");
    String why =
        name
            + " scales q.k by 1/sqrt(head_dim): a head that loses part of its dims is "
            + "rescaled (whole heads are exact)";
    List<int[]> blocks = new ArrayList<>();
    List<long[]> coords = new ArrayList<>();
    for (int h = 0; h < heads; h++) {
      blocks.add(Arrays.copyOfRange(atoms, h * headDim, (h + 1) * headDim));
      coords.add(new long[] {h});
    }
    for (int a : atoms) {
      labels.markInexact(a, why);
    }
    labels.blocks(
        name
            + " ("
            + heads
            + " heads of "
            + headDim
            + (fixed ? ", head count fixed by a 3-D attn_mask" : "")
            + ")",
        blocks,
        coords,
        true,
        !fixed);
  }

  /** A separate projection [E, in]: rows are the layer's channels, columns its input's. */
  private static void separate(
      TracedCall call, ModuleLabels labels, String local, int[] atoms, int[] inputAtoms) {
    String name = ModuleLabels.param(call, local);
    for (int i = 0; i < atoms.length; i++) {
      labels.bindOutput(name, 0, i, atoms[i]);
    }
    for (int j = 0; j < inputAtoms.length; j++) {
      labels.bindInput(name, 1, j, inputAtoms[j]);
    }
  }

  static TensorRef tensorArg(TracedCall call, int index) {
    return index < call.args().size() && call.args().get(index) instanceof Value.TensorValue t
        ? t.tensor()
        : null;
  }

  @Override
  public Map<String, long[]> options(ModuleChange change) {
    Map<String, long[]> out = new LinkedHashMap<>();
    options(change, "", out);
    return out;
  }

  /** The options of the attention under {@code prefix} after a removal, names prefixed. */
  static void options(ModuleChange change, String prefix, Map<String, long[]> out) {
    long e = change.current(prefix + "embed_dim")[0];
    long heads = change.current(prefix + "num_heads")[0];
    long headDim = e / heads;
    boolean packed = change.shapeAfter(prefix + "in_proj_weight") != null;
    long[] removed = change.removed(prefix + (packed ? "in_proj_weight" : "q_proj_weight"), 0);
    long[] perHead = new long[(int) heads];
    long count = 0;
    for (long r : removed) {
      if (r < e) {
        perHead[(int) (r / headDim)]++;
        count++;
      }
    }
    long whole = 0;
    long partial = -1;
    for (long r : perHead) {
      if (r == headDim) {
        whole++;
      } else if (partial >= 0 && r != partial) {
        throw change.refuse(
            "MultiheadAttention "
                + change.path()
                + " would lose different "
                + "numbers of channels per head "
                + Arrays.toString(perHead));
      } else {
        partial = r;
      }
    }
    long newE = e - count;
    out.put(prefix + "embed_dim", new long[] {newE});
    out.put(prefix + "num_heads", new long[] {heads - whole});
    out.put(
        prefix + "kdim",
        new long[] {packed ? newE : change.shapeAfter(prefix + "k_proj_weight")[1]});
    out.put(
        prefix + "vdim",
        new long[] {packed ? newE : change.shapeAfter(prefix + "v_proj_weight")[1]});
    out.put(prefix + "out_proj.in_features", new long[] {newE});
    out.put(prefix + "out_proj.out_features", new long[] {newE});
  }

  @Override
  public boolean ownsSubmoduleParameters() {
    return true;
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    TensorRef query = tensorArg(call, 0);
    TensorRef key = tensorArg(call, 1);
    TensorRef value = tensorArg(call, 2);
    if (query == null || key == null || value == null) {
      throw new IllegalArgumentException(call + ": expected query, key and value tensors");
    }
    long l = cost.size(query, 0);
    long n = cost.size(query, 1);
    long e = cost.size(query, 2);
    long src = cost.size(key, 0);
    long projections =
        l * n * e * e
            + src * n * cost.size(key, -1) * e
            + src * n * cost.size(value, -1) * e
            + l * n * e * e;
    long attention = 2 * n * l * src * e;
    boolean bias = cost.hasParameter(ModuleLabels.param(call, "in_proj_bias"));
    return projections + attention + (bias ? (2 * l + 2 * src) * n * e : 0);
  }
}
