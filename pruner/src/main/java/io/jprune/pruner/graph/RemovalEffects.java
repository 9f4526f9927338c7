package io.jprune.pruner.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.cut.SitePatch;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.rule.LayoutArgs;
import io.jprune.pruner.graph.rule.OpCatalog;
import io.jprune.pruner.graph.rule.OpRule;
import io.jprune.pruner.graph.rule.ShapeCheck;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.site.SiteKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
    Set<ParamSlice> removedSlices = new LinkedHashSet<>();
    ImmutableList.Builder<ParamSlice> zeroed = ImmutableList.builder();
    Set<String> reasons = new LinkedHashSet<>();
    Map<Integer, ImmutableLongArray> removalOut = new TreeMap<>();
    for (Map.Entry<Integer, long[]> e : removal.entrySet()) {
      PruningGroup g = graph.group(e.getKey());
      TreeSet<Long> sorted = new TreeSet<>();
      for (long idx : e.getValue()) {
        sorted.add(idx);
        Channel c = g.channel((int) idx);
        removedSlices.addAll(c.slices());
        zeroed.addAll(c.outputs());
        if (c.inexactReason() != null) {
          reasons.add(c.inexactReason());
        }
      }
      removalOut.put(
          e.getKey(),
          ImmutableLongArray.copyOf(sorted.stream().mapToLong(Long::longValue).toArray()));
      checkWholeBlocks(g, sorted);
    }
    ImmutableMap<String, ParamCut> cuts = cuts(pass, removedSlices);
    MaskPass mp = new MaskPass(pass, roots);
    ShapeCheck shapes = new ShapeCheck(mp, cuts);
    Map<String, List<SitePatch>> bySite = new LinkedHashMap<>();
    Set<String> patchedSites = new LinkedHashSet<>();
    Map<String, ImmutableList<ImmutableLongArray>> moduleShapes = new LinkedHashMap<>();
    for (TracedCall call : graph.leaves()) {
      OpRule rule = OpCatalog.ruleFor(call, pass.catalog());
      mp.compute(call, rule::derivedMask);
      for (TensorRef out : call.tensorOutputs()) {
        if (!mp.mask(out).isEmpty() && mp.compressedShape(out) == null) {
          throw PlanException.irregular(out, call);
        }
      }
      for (TensorRef in : call.tensorInputs()) {
        if (!mp.mask(in).isEmpty() && mp.compressedShape(in) == null) {
          throw PlanException.irregular(in, call);
        }
      }
      shapes.check(call, rule);
      List<ArgPatch> patches = fromOwnConstants(call, rule.patches(call, mp));
      if (call.isModuleCall()) {
        moduleShapes.putIfAbsent(
            call.modulePath(),
            ImmutableList.of(
                ImmutableLongArray.copyOf(mp.compressedShape(call.tensorInputs().get(0))),
                ImmutableLongArray.copyOf(mp.compressedShape(call.tensorOutputs().get(0)))));
        continue;
      }
      String site = call.site().key().format();
      if (!patches.isEmpty()) {
        patchedSites.add(site);
      }
      TensorRef first =
          call.tensorInputs().isEmpty() ? call.tensorOutputs().get(0) : call.tensorInputs().get(0);
      bySite
          .computeIfAbsent(site, s -> new ArrayList<>())
          .add(
              new SitePatch(
                  call.site().key(),
                  call.kind() == SiteKind.TENSOR_METHOD,
                  first.shape(),
                  ImmutableLongArray.copyOf(mp.compressedShape(first)),
                  ImmutableList.copyOf(patches),
                  call.site().location()));
    }
    ImmutableList.Builder<SitePatch> sitePatches = ImmutableList.builder();
    for (String site : patchedSites) {
      List<SitePatch> calls = bySite.get(site);
      checkSiteConsistent(calls);
      sitePatches.addAll(calls);
    }
    return new RemovalEffects(
        ImmutableMap.copyOf(removalOut),
        cuts,
        sitePatches.build(),
        ImmutableMap.copyOf(moduleShapes),
        zeroed.build(),
        ImmutableSet.copyOf(reasons),
        mp);
  }

  /**
   * A view whose blocks may not go whole (a channel shuffle's groups: the model computes the group
   * count itself, e.g. {@code view(b, 2, c / 2, h, w)}, so a rewritten constant would not match)
   * must keep something of every block.
   */
  private static void checkWholeBlocks(PruningGroup g, java.util.Set<Long> removed) {
    for (io.jprune.pruner.group.GroupConstraint c : g.constraints()) {
      if (c.wholeBlocksAllowed()) {
        continue;
      }
      for (int b = 0; b < c.blocks().size(); b++) {
        boolean all = c.blocks().get(b).length() > 0;
        for (int p = 0; p < c.blocks().get(b).length() && all; p++) {
          int ch = c.blocks().get(b).get(p);
          all = ch >= 0 && removed.contains((long) ch);
        }
        if (all) {
          throw new PlanException(
              "the removal would take all of block "
                  + b
                  + " of "
                  + c
                  + ", whose blocks cannot go whole: keep at least one channel in each");
        }
      }
    }
  }

  private static void checkSiteConsistent(List<SitePatch> calls) {
    for (int i = 0; i < calls.size(); i++) {
      for (int j = i + 1; j < calls.size(); j++) {
        SitePatch a = calls.get(i);
        SitePatch b = calls.get(j);
        if (a.prunedShape().equals(b.prunedShape())
            && !a.patches().equals(b.patches())
            && sameBefore(a, b)) {
          throw new PlanException(
              "call site "
                  + a.location()
                  + " runs "
                  + calls.size()
                  + " times with the same pruned input shape "
                  + a.prunedShape()
                  + " but needs different arguments ("
                  + a.patches()
                  + " vs "
                  + b.patches()
                  + "); prune the modules that share this code alike");
        }
      }
    }
  }

  /**
   * Patches from the model's own constants to the new values: a call an earlier step rewrote was
   * traced with the rewritten arguments, and its new entry must replace the earlier one whole.
   */
  private static List<ArgPatch> fromOwnConstants(TracedCall call, List<ArgPatch> patches) {
    if (call.argsBeforeRewrite() == null) {
      return patches;
    }
    java.util.Map<Integer, ArgPatch> byArg = new java.util.HashMap<>();
    for (ArgPatch p : patches) {
      byArg.put(p.argIndex(), p);
    }
    List<ArgPatch> out = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      io.jprune.tracer.Value pre = call.argsBeforeRewrite().get(i);
      io.jprune.tracer.Value post = call.args().get(i);
      boolean array = post instanceof io.jprune.tracer.Value.LongArrayValue;
      if (!array && !(post instanceof io.jprune.tracer.Value.LongValue)) {
        continue;
      }
      ImmutableLongArray before = ImmutableLongArray.copyOf(LayoutArgs.longs(pre));
      ArgPatch now = byArg.get(i);
      ImmutableLongArray after =
          now != null ? now.after() : ImmutableLongArray.copyOf(LayoutArgs.longs(post));
      if (!before.equals(after) && before.length() == after.length()) {
        out.add(new ArgPatch(i, before, after, array));
      }
    }
    return out;
  }

  /** Whether two calls pass the same traced values where either one changes an argument. */
  private static boolean sameBefore(SitePatch a, SitePatch b) {
    for (ArgPatch pa : a.patches()) {
      for (ArgPatch pb : b.patches()) {
        if (pa.argIndex() == pb.argIndex() && !pa.before().equals(pb.before())) {
          return false;
        }
      }
    }
    return true;
  }

  private static ImmutableMap<String, ParamCut> cuts(LabelPass pass, Set<ParamSlice> slices) {
    Map<String, Map<Integer, TreeSet<Long>>> byParam = new LinkedHashMap<>();
    Map<String, Map<Integer, TreeSet<Long>>> grouped = new LinkedHashMap<>();
    for (ParamSlice s : slices) {
      if (s.convGroup() >= 0) {
        grouped
            .computeIfAbsent(s.param(), p -> new TreeMap<>())
            .computeIfAbsent(s.convGroup(), g -> new TreeSet<>())
            .add(s.index());
      } else {
        byParam
            .computeIfAbsent(s.param(), p -> new TreeMap<>())
            .computeIfAbsent(s.dim(), d -> new TreeSet<>())
            .add(s.index());
      }
    }
    Set<String> names = new LinkedHashSet<>(byParam.keySet());
    names.addAll(grouped.keySet());
    ImmutableMap.Builder<String, ParamCut> out = ImmutableMap.builder();
    for (String name : names) {
      ImmutableLongArray shape = pass.parameterShape(name);
      ImmutableMap.Builder<Integer, ImmutableLongArray> removed = ImmutableMap.builder();
      byParam
          .getOrDefault(name, Map.of())
          .forEach(
              (dim, idx) -> {
                if (idx.size() >= shape.get(dim)) {
                  throw new PlanException(
                      "the removal would take all "
                          + shape.get(dim)
                          + " channels of "
                          + name
                          + " (dim "
                          + dim
                          + ")");
                }
                removed.put(dim, toArray(idx));
              });
      ImmutableMap.Builder<Integer, ImmutableLongArray> cols = ImmutableMap.builder();
      Map<Integer, TreeSet<Long>> g = grouped.getOrDefault(name, Map.of());
      if (!g.isEmpty()) {
        int count = -1;
        for (Map.Entry<Integer, TreeSet<Long>> e : g.entrySet()) {
          if (count >= 0 && e.getValue().size() != count) {
            throw new PlanException(
                "grouped conv "
                    + name
                    + " would lose "
                    + e.getValue().size()
                    + " input channels in group "
                    + e.getKey()
                    + " but "
                    + count
                    + " in another: every group must lose as many");
          }
          count = e.getValue().size();
          if (count >= shape.get(1)) {
            throw new PlanException(
                "the removal would take all input channels of group " + e.getKey() + " of " + name);
          }
          cols.put(e.getKey(), toArray(e.getValue()));
        }
      }
      out.put(name, new ParamCut(name, shape, removed.build(), cols.build()));
    }
    return out.build();
  }

  private static ImmutableLongArray toArray(TreeSet<Long> s) {
    return ImmutableLongArray.copyOf(s.stream().mapToLong(Long::longValue).toArray());
  }

  /** Group id -> removed channel indices, sorted. */
  public ImmutableMap<Integer, ImmutableLongArray> removal() {
    return removal;
  }

  public ImmutableMap<String, ParamCut> cuts() {
    return cuts;
  }

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
