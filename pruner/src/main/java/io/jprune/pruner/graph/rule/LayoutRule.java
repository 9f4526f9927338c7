package io.jprune.pruner.graph.rule;

import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.graph.label.DenseLayout;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.LabelReplay;
import io.jprune.pruner.graph.label.LabelWalk;
import io.jprune.pruner.graph.label.Labels;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.label.Shape;
import io.jprune.pruner.graph.label.ViewReplay;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Layout ops (reshape/view/flatten/unflatten, permute/transpose, select, narrow, split/chunk,
 * unbind, cat/stack, expand/repeat, squeeze/unsqueeze, pixel_shuffle/unshuffle and the built-in
 * PixelShuffle/Flatten modules): every output element is a copy of one input element, found by
 * replaying the op on labels ({@link LabelReplay}). Ops whose arguments hold sizes or positions get
 * those arguments rewritten after pruning, and every rewrite is proven by replaying the op on the
 * pruned shapes.
 */
final class LayoutRule implements OpRule {

  @Override
  public void propagate(TracedCall call, LabelPass pass) {
    List<TensorRef> outs = call.tensorOutputs();
    List<Labels> views = ViewReplay.labels(call, pass);
    if (views != null) {
      for (int k = 0; k < outs.size(); k++) {
        checkShape(call, k, views.get(k).shape().dims());
        pass.setLabels(outs.get(k), views.get(k));
      }
    } else {
      propagateCopies(call, pass);
    }
    if (isSplitView(call)) {
      addViewBlocks(call, pass);
    } else if (call.op().equals("chunk") || call.op().equals("split") && isIntSplit(call)) {
      addEqualChunkBlocks(call, pass);
    }
  }

  private static void checkShape(TracedCall call, int k, long[] replayed) {
    TensorRef out = call.tensorOutputs().get(k);
    if (!Arrays.equals(replayed, out.shape().toArray())) {
      throw new UnsupportedOpException(
          call,
          "replay on labels gave shape "
              + Arrays.toString(replayed)
              + ", the trace "
              + out.shape());
    }
  }

  /**
   * Ops that copy (cat, repeat, pixel_shuffle, ...) or read several inputs: the label replay maps
   * every output element to its input position; the mask side reads the recorded map back.
   */
  private static void propagateCopies(TracedCall call, LabelPass pass) {
    LabelReplay.Labels replay = LabelReplay.replay(call);
    List<TensorRef> outs = call.tensorOutputs();
    for (int k = 0; k < outs.size(); k++) {
      checkShape(call, k, replay.outputShapes().get(k));
    }
    pass.recordReplay(call, replay);
    int[] joint = jointLabels(call, pass, replay);
    for (int k = 0; k < outs.size(); k++) {
      int[] pos = replay.outputs().get(k);
      int[] l = new int[pos.length];
      for (int i = 0; i < pos.length; i++) {
        l[i] = joint[pos[i]];
      }
      pass.setLabels(outs.get(k), l);
    }
  }

  private static int[] jointLabels(TracedCall call, LabelPass pass, LabelReplay.Labels replay) {
    List<TensorRef> ins = call.tensorInputs();
    int total = 0;
    for (TensorRef t : ins) {
      total += Shape.of(t.shape()).numel();
    }
    int[] joint = new int[total];
    for (int k = 0; k < ins.size(); k++) {
      int[] l = pass.labels(ins.get(k));
      System.arraycopy(l, 0, joint, (int) replay.offsets()[k], l.length);
    }
    return joint;
  }

  private static boolean isSplitView(TracedCall call) {
    String op = call.op();
    return op.equals("reshape") || op.equals("view") || op.equals("unflatten");
  }

  private static boolean isIntSplit(TracedCall call) {
    return !call.args().isEmpty() && call.args().get(0) instanceof Value.LongValue;
  }

  /**
   * A view that splits channels over several dims (3 x heads x head_dim, groups x per-group) makes
   * blocks: every index of the last such dim is a position, the other dims name the block.
   */
  private static void addViewBlocks(TracedCall call, LabelPass pass) {
    TensorRef in = call.tensorInputs().get(0);
    TensorRef out = call.outputTensor();
    Labels ol = pass.labelsOf(out);
    int[] varying = ol.varyingDims();
    if (varying.length < 2 || varying.length <= pass.labelsOf(in).varyingDims().length) {
      return;
    }
    int n = varying.length;
    // the walk visits the varying dims' coordinates in the order of their first elements
    LabelWalk w = LabelWalk.over(Shape.of(out.shape()), List.of(ol));
    java.util.Map<List<Long>, int[]> blocks = new java.util.LinkedHashMap<>();
    for (int p = 0; p < w.positions(); p++, w.next()) {
      List<Long> key = new ArrayList<>();
      for (int j = 0; j < n - 1; j++) {
        key.add(w.coord(j));
      }
      int[] block = blocks.computeIfAbsent(key, x -> new int[(int) out.size(varying[n - 1])]);
      block[(int) w.coord(n - 1)] = ol.atom(w.index(0));
    }
    List<int[]> atoms = new ArrayList<>(blocks.values());
    List<long[]> coords = new ArrayList<>();
    for (List<Long> key : blocks.keySet()) {
      coords.add(key.stream().mapToLong(Long::longValue).toArray());
    }
    pass.addBlocks(
        call.site().op() + " at " + call.site().location(),
        atoms,
        coords,
        BlockSpec.Kind.ALIGNED,
        feedsContraction(pass, out, 8));
  }

  /**
   * Whether a view's blocks are attention heads: through layout ops only, the tensor reaches a
   * matmul, where the block dim is a batch dim, so whole blocks can go. A channel-shuffle view
   * reaches a conv instead, and removing one of its groups would empty a branch.
   */
  private static boolean feedsContraction(LabelPass pass, TensorRef t, int depth) {
    if (depth == 0) {
      return false;
    }
    for (TracedCall c : pass.trace().consumers(t)) {
      OpRule rule = OpCatalog.find(c, pass.catalog()).orElse(null);
      if (rule instanceof ContractionRule) {
        return true;
      }
      if (rule instanceof LayoutRule) {
        for (TensorRef next : c.tensorOutputs()) {
          if (feedsContraction(pass, next, depth - 1)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** chunk/split into equal parts: each part must lose as many channels as the others. */
  private static void addEqualChunkBlocks(TracedCall call, LabelPass pass) {
    List<int[]> atoms = new ArrayList<>();
    List<long[]> coords = new ArrayList<>();
    List<TensorRef> outs = call.tensorOutputs();
    for (int k = 0; k < outs.size(); k++) {
      Labels l = pass.labelsOf(outs.get(k));
      // the stored atoms meet each atom first in the order the elements do
      atoms.add(IntStream.range(0, l.size()).map(l::atom).filter(a -> a > 0).distinct().toArray());
      coords.add(new long[] {k});
    }
    pass.addBlocks(
        call.site().op() + " at " + call.site().location(),
        atoms,
        coords,
        BlockSpec.Kind.EQUAL_COUNT,
        false);
  }

  @Override
  public BitSet derivedMask(TracedCall call, int output, MaskPass pass) {
    LabelReplay.Labels replay = pass.labels().replayOf(call);
    List<TensorRef> ins = call.tensorInputs();
    int[] pos = replay.outputs().get(output);
    BitSet m = new BitSet(pos.length);
    for (int i = 0; i < pos.length; i++) {
      int k = inputOf(replay.offsets(), pos[i]);
      if (pass.mask(ins.get(k)).get(pos[i] - (int) replay.offsets()[k])) {
        m.set(i);
      }
    }
    return m;
  }

  private static int inputOf(long[] offsets, int position) {
    int k = offsets.length - 1;
    while (offsets[k] > position) {
      k--;
    }
    return k;
  }

  /** New size/position arguments, proven by replaying the op on the pruned shapes. */
  @Override
  public List<ArgPatch> patches(TracedCall call, MaskPass pass) {
    boolean touched = false;
    for (TensorRef t : call.tensorInputs()) {
      touched |= !pass.mask(t).isEmpty();
    }
    for (TensorRef t : call.tensorOutputs()) {
      touched |= !pass.mask(t).isEmpty();
    }
    if (!touched) {
      return List.of();
    }
    List<ArgPatch> patches = LayoutArgs.patches(call, pass);
    verify(call, pass, patches);
    return patches;
  }

  /**
   * Replays the op on the pruned shapes with the patched arguments: each kept output element must
   * copy the pruned position of the input element it copied before. The check runs first with the
   * gather done by the op itself ({@link #copiesKeptSources}); only a removal that fails it walks
   * the elements, to name the first one that breaks.
   */
  private static void verify(TracedCall call, MaskPass pass, List<ArgPatch> patches) {
    List<long[]> shapes = new ArrayList<>();
    for (TensorRef t : call.tensorInputs()) {
      long[] s = pass.compressedShape(t);
      if (s == null) {
        throw PlanException.irregular(t, call);
      }
      shapes.add(s);
    }
    List<Value> args = LayoutArgs.apply(call.args(), patches);
    LabelReplay.Labels original = pass.labels().replayOf(call);
    if (copiesKeptSources(call, pass, original, shapes, args)) {
      return;
    }
    List<int[]> inPositions = new ArrayList<>();
    for (TensorRef t : call.tensorInputs()) {
      inPositions.add(DenseLayout.keptPositions(Shape.of(t.shape()).numel(), pass.mask(t)));
    }
    LabelReplay.Labels pruned = replayPruned(call, shapes, args);
    for (int k = 0; k < call.tensorOutputs().size(); k++) {
      int[] expected = keptSources(call, k, pass, original, inPositions, pruned);
      if (k >= pruned.outputs().size() || !Arrays.equals(expected, pruned.outputs().get(k))) {
        throw new PlanException(
            "the pruned "
                + call.site().op()
                + " at "
                + call.site().location()
                + " would not compute the kept part of "
                + call.tensorOutputs().get(k)
                + " (pruned input shapes "
                + describe(shapes)
                + ", arguments "
                + args
                + "): the removal breaks this op's layout");
      }
    }
  }

  /**
   * The check of {@link #verify}, element by element but in order: the pruned op is replayed on
   * inputs holding each kept element's original position, so each pruned output element holds the
   * original position of what it copies, and must equal what the kept output element at its place
   * copied in the original replay. As the kept positions are distinct and name only kept elements,
   * this holds exactly when every kept output element copies a kept input element at its pruned
   * position. False also when the replay fails, which the element walk then reports.
   */
  private static boolean copiesKeptSources(
      TracedCall call,
      MaskPass pass,
      LabelReplay.Labels original,
      List<long[]> shapes,
      List<Value> args) {
    List<TensorRef> ins = call.tensorInputs();
    List<int[]> values = new ArrayList<>();
    for (int k = 0; k < ins.size(); k++) {
      values.add(shifted(pass.keptIndices(ins.get(k)), (int) original.offsets()[k]));
    }
    LabelReplay.Labels pruned;
    try {
      pruned = LabelReplay.replay(call, shapes, values, args);
    } catch (UnsupportedOpException | IllegalArgumentException e) {
      return false;
    }
    List<TensorRef> outs = call.tensorOutputs();
    if (pruned.outputs().size() < outs.size()) {
      return false;
    }
    for (int k = 0; k < outs.size(); k++) {
      int[] got = pruned.outputs().get(k);
      if (!keptMatch(original.outputs().get(k), pass.keptIndices(outs.get(k)), got)) {
        return false;
      }
    }
    return true;
  }

  private static int[] shifted(int[] indices, int offset) {
    if (offset == 0) {
      return indices;
    }
    int[] out = new int[indices.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = indices[i] + offset;
    }
    return out;
  }

  /** Whether {@code got[e]} is {@code all[kept[e]]} for every {@code e}, and nothing more. */
  static boolean keptMatch(int[] all, int[] kept, int[] got) {
    if (got.length != kept.length) {
      return false;
    }
    for (int e = 0; e < got.length; e++) {
      if (got[e] != all[kept[e]]) {
        return false;
      }
    }
    return true;
  }

  private static LabelReplay.Labels replayPruned(
      TracedCall call, List<long[]> shapes, List<Value> args) {
    try {
      return LabelReplay.replay(call, shapes, args);
    } catch (UnsupportedOpException e) {
      throw new PlanException(
          "the pruned "
              + call.site().op()
              + " at "
              + call.site().location()
              + " cannot run on the pruned shapes "
              + describe(shapes)
              + " with arguments "
              + args
              + ": "
              + e.getMessage());
    }
  }

  /**
   * For each kept element of output {@code k}, the position in the pruned inputs' concatenation of
   * the element it copied in the original.
   */
  private static int[] keptSources(
      TracedCall call,
      int k,
      MaskPass pass,
      LabelReplay.Labels original,
      List<int[]> inPositions,
      LabelReplay.Labels pruned) {
    TensorRef out = call.tensorOutputs().get(k);
    BitSet om = pass.mask(out);
    int[] pos = original.outputs().get(k);
    int[] expected = new int[pos.length - om.cardinality()];
    int e = 0;
    for (int i = 0; i < pos.length; i++) {
      if (om.get(i)) {
        continue;
      }
      int in = inputOf(original.offsets(), pos[i]);
      int p = inPositions.get(in)[pos[i] - (int) original.offsets()[in]];
      if (p < 0) {
        throw new PlanException(
            "output element "
                + i
                + " of "
                + out
                + " at "
                + call.site().location()
                + " is kept but copies a removed input element");
      }
      expected[e++] = p + (int) pruned.offsets()[in];
    }
    return expected;
  }

  private static String describe(List<long[]> shapes) {
    StringBuilder sb = new StringBuilder();
    for (long[] s : shapes) {
      sb.append(sb.length() == 0 ? "" : ", ").append(Arrays.toString(s));
    }
    return sb.toString();
  }
}
