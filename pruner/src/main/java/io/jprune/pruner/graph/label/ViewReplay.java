package io.jprune.pruner.graph.label;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Layout ops that return views of their one input (reshape and view of a contiguous tensor,
 * permute, transpose, select, narrow, split, unbind, expand, squeeze, ...) move no data: output
 * element {@code c} is input element {@code offset + sum(c[d] * stride[d])}. Replaying the call on
 * an uninitialised contiguous input of the traced shape gives those strides (the op's own
 * behaviour, as in {@link LabelReplay}, which ops that copy still go through), and the output
 * labels follow from the input's factored labels without a per-element map.
 */
public final class ViewReplay {
  private ViewReplay() {}

  /** An output of the call: its sizes, strides and storage offset into the contiguous input. */
  record View(long[] sizes, long[] strides, long offset) {
    /** The sizes, strides and storage offset of a tensor. */
    static View of(Tensor t) {
      long[] sizes = new long[(int) t.dim()];
      long[] strides = new long[sizes.length];
      for (int d = 0; d < sizes.length; d++) {
        sizes[d] = t.size(d);
        strides[d] = t.stride(d);
      }
      return new View(sizes, strides, t.storage_offset());
    }
  }

  /**
   * The labels of the call's tensor outputs, from the labels of its one tensor input in {@code
   * pass}, or null when it has another number of tensor inputs, or some output is not a view of the
   * input. The pass keeps the views, from which it makes the call's per-element map should the mask
   * side ask for it.
   *
   * @throws io.jprune.pruner.graph.refusal.UnsupportedOpException when the replay fails
   */
  public static List<Labels> labels(TracedCall call, LabelPass pass) {
    List<View> views = views(call);
    if (views == null) {
      return null;
    }
    Labels in = pass.labelsOf(call.tensorInputs().get(0));
    List<Labels> out = new ArrayList<>(views.size());
    for (View v : views) {
      out.add(labels(v, in));
    }
    pass.recordViews(call, views);
    return out;
  }

  /**
   * The per-element map of a call that returned these views of its one input, as {@link
   * LabelReplay#replay} makes it: each output element's input position.
   */
  static LabelReplay.Labels replay(List<View> views) {
    List<int[]> positions = new ArrayList<>(views.size());
    List<long[]> shapes = new ArrayList<>(views.size());
    for (View v : views) {
      positions.add(positions(v));
      shapes.add(v.sizes().clone());
    }
    return new LabelReplay.Labels(new long[] {0}, positions, shapes);
  }

  /** Input position of each output element, row-major: {@code offset + sum(c[d] * stride[d])}. */
  static int[] positions(View v) {
    Shape out = new Shape(v.sizes());
    int[] pos = new int[out.numel()];
    int rank = out.rank();
    if (rank == 0) {
      pos[0] = (int) v.offset();
      return pos;
    }
    int inner = (int) v.sizes()[rank - 1];
    int step = (int) v.strides()[rank - 1];
    long[] coord = new long[rank - 1];
    long flat = v.offset(); // of the first element of the current innermost run
    for (int i = 0; i < pos.length; i += inner) {
      for (int j = 0, p = (int) flat; j < inner; j++, p += step) {
        pos[i + j] = p;
      }
      for (int d = rank - 2; d >= 0; d--) { // odometer over the outer dims
        if (++coord[d] < v.sizes()[d]) {
          flat += v.strides()[d];
          break;
        }
        flat -= (coord[d] - 1) * v.strides()[d];
        coord[d] = 0;
      }
    }
    return pos;
  }

  /** The views the call returns, or null when it is not a one-input call returning only views. */
  static List<View> views(TracedCall call) {
    List<TensorRef> ins = call.tensorInputs();
    if (ins.size() != 1 || ins.get(0).numel() == 0) {
      return null;
    }
    Tensor input =
        torch.empty(
            ins.get(0).shape().toArray(),
            new TensorOptions(torch.ScalarType.Long),
            new MemoryFormatOptional());
    List<Tensor> outs = LabelReplay.run(call, List.of(input), call.args());
    if (outs.size() != call.tensorOutputs().size()) {
      return null; // the label replay reports the mismatch
    }
    List<View> views = new ArrayList<>(outs.size());
    for (Tensor t : outs) {
      if (!t.is_alias_of(input) || t.numel() == 0) {
        return null;
      }
      views.add(View.of(t));
    }
    Reference.reachabilityFence(input);
    return views;
  }

  /**
   * The labels of a view of a tensor labelled {@code in}, walked along the output dims that can
   * move a coordinate the input labels vary along; along the others every element reads the atom of
   * its neighbour.
   */
  static Labels labels(View v, Labels in) {
    Shape out = new Shape(v.sizes());
    Shape is = in.shape();
    int[] varying = in.varyingDims();
    int[] atomStrides = in.atomStrides();
    int[] walked = walkedDims(v, is, varying);
    LabelWalk w = LabelWalk.over(out, List.of(), walked);
    int[] atoms = new int[w.positions()];
    for (int p = 0; p < atoms.length; p++, w.next()) {
      long flat = v.offset();
      for (int j = 0; j < walked.length; j++) {
        flat += w.coord(j) * v.strides()[walked[j]];
      }
      int index = 0;
      for (int e : varying) {
        index += (int) ((flat / is.stride(e)) % is.dim(e)) * atomStrides[e];
      }
      atoms[p] = in.atom(index);
    }
    return Labels.factored(out, walked, atoms);
  }

  /** Output dims along which some varying input coordinate can change (ascending). */
  private static int[] walkedDims(View v, Shape in, int[] varying) {
    int[] walked = new int[v.sizes().length];
    int n = 0;
    for (int d = 0; d < walked.length; d++) {
      boolean moves = false;
      for (int j = 0; j < varying.length && !moves; j++) {
        moves = v.sizes()[d] > 1 && moves(v, d, in.stride(varying[j]), in.dim(varying[j]));
      }
      if (moves) {
        walked[n++] = d;
      }
    }
    return Arrays.copyOf(walked, n);
  }

  /**
   * Whether stepping along output dim {@code d} can change the input coordinate of place value
   * {@code place} and size {@code size}: element {@code c} is input element {@code flat = offset +
   * sum(c[d] * stride[d])}, whose coordinate is {@code flat / place % size}. Write each stride as
   * {@code q * place + r} ({@code r < place}). When the offset's and the strides' remainders can
   * never add up to {@code place} (no carry, as in every reshape, permute, select or split of a
   * contiguous tensor), the coordinate is {@code (offset / place + sum(c[d] * q[d])) % size}: dim d
   * moves it iff {@code q[d] % size != 0}. Otherwise only a stride that is a multiple of {@code
   * place * size} certainly leaves it alone.
   */
  private static boolean moves(View v, int d, long place, long size) {
    long low = v.offset() % place;
    for (int k = 0; k < v.sizes().length; k++) {
      low += (v.sizes()[k] - 1) * (v.strides()[k] % place);
    }
    long stride = v.strides()[d];
    return low < place ? (stride / place) % size != 0 : stride % (place * size) != 0;
  }
}
