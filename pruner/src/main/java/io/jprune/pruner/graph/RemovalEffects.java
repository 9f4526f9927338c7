package io.jprune.pruner.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.cut.SitePatch;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.rule.ShapeCheck;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.Map;

/**
 * Everything a validated removal changes, worked out before the model is touched: parameter cuts,
 * call-site argument rewrites, the new input/output shapes of every module call, the slices the
 * masked original zeroes, and whether pruned and masked outputs must agree exactly.
 */
public final class RemovalEffects {
  private final ImmutableMap<Integer, ImmutableLongArray> removal;
  private final ImmutableMap<String, ParamCut> cuts;
  private final ImmutableList<SitePatch> sitePatches;
  private final ImmutableMap<String, ImmutableList<ImmutableLongArray>> moduleShapes;
  private final ImmutableList<ParamSlice> zeroed;
  private final ImmutableSet<String> inexactReasons;
  private final MaskPass masks;

  private RemovalEffects(
      ImmutableMap<Integer, ImmutableLongArray> removal,
      ImmutableMap<String, ParamCut> cuts,
      ImmutableList<SitePatch> sitePatches,
      ImmutableMap<String, ImmutableList<ImmutableLongArray>> moduleShapes,
      ImmutableList<ParamSlice> zeroed,
      ImmutableSet<String> inexactReasons,
      MaskPass masks) {
    this.removal = removal;
    this.cuts = cuts;
    this.sitePatches = sitePatches;
    this.moduleShapes = moduleShapes;
    this.zeroed = zeroed;
    this.inexactReasons = inexactReasons;
    this.masks = masks;
  }

  static RemovalEffects compute(DependencyGraph graph, BitSet roots, Map<Integer, long[]> removal) {
    LabelPass pass = graph.pass();
    RemovedChannels channels = RemovedChannels.of(graph, removal);
    ImmutableMap<String, ParamCut> cuts = ParamCuts.of(pass, channels.slices());
    MaskPass masks = new MaskPass(pass, roots);
    CallWalk walk = new CallWalk(pass.catalog(), masks, new ShapeCheck(masks, cuts));
    for (TracedCall call : graph.leaves()) {
      walk.visit(call);
    }
    return new RemovalEffects(
        channels.removal(),
        cuts,
        walk.sitePatches(),
        walk.moduleShapes(),
        channels.zeroed(),
        channels.inexactReasons(),
        masks);
  }

  /** Group id -> removed channel indices, sorted. */
  public ImmutableMap<Integer, ImmutableLongArray> removal() {
    return removal;
  }

  /** What the removal cuts from each parameter and buffer, by registered name. */
  public ImmutableMap<String, ParamCut> cuts() {
    return cuts;
  }

  /** The traced calls of every call site whose arguments change (sizes of reshape, narrow, ...). */
  public ImmutableList<SitePatch> sitePatches() {
    return sitePatches;
  }

  /** Module path -> [pruned input shape, pruned output shape] of its first call. */
  public ImmutableMap<String, ImmutableList<ImmutableLongArray>> moduleShapes() {
    return moduleShapes;
  }

  /** The producing slices the masked original zeroes. */
  public ImmutableList<ParamSlice> zeroed() {
    return zeroed;
  }

  /** Why pruned and masked outputs may differ; empty when they must agree. */
  public ImmutableSet<String> inexactReasons() {
    return inexactReasons;
  }

  /** The module kinds of the graph this removal was worked out on. */
  public io.jprune.pruner.module.ModuleCatalog catalog() {
    return masks.labels().catalog();
  }

  /**
   * The shape a traced tensor has after the removal (its traced shape when untouched).
   *
   * @throws PlanException when its kept elements are not dense (not for a validated removal)
   */
  public long[] prunedShape(TensorRef t) {
    long[] s = masks.compressedShape(t);
    if (s == null) {
      throw new PlanException(t + " has no dense shape under this removal");
    }
    return s;
  }

  /** The traced shape of a registered parameter or buffer of the model, if it has one. */
  public java.util.Optional<ImmutableLongArray> parameterShape(String name) {
    return java.util.Optional.ofNullable(masks.labels().parameterShape(name));
  }

  /** Removed elements of a traced tensor (e.g. the model output) under this removal. */
  public BitSet removedElements(TensorRef t) {
    return masks.mask(t);
  }

  @Override
  public String toString() {
    return "RemovalEffects["
        + cuts.size()
        + " params, "
        + sitePatches.size()
        + " site calls, "
        + (inexactReasons.isEmpty() ? "exact" : "inexact")
        + "]";
  }
}
