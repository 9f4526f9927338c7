package io.jprune.pruner.graph;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ArgPatch;
import io.jprune.pruner.cut.SitePatch;
import io.jprune.pruner.graph.label.MaskPass;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.rule.LayoutArgs;
import io.jprune.pruner.graph.rule.OpCatalog;
import io.jprune.pruner.graph.rule.OpRule;
import io.jprune.pruner.graph.rule.ShapeCheck;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.SiteKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks a removal through the traced calls in call order: masks each call's outputs, checks that it
 * runs on the pruned shapes, and records the pruned shapes of module calls and the argument changes
 * of op call sites.
 */
final class CallWalk {
  private final ModuleCatalog catalog;
  private final MaskPass masks;
  private final ShapeCheck shapes;
  private final Map<String, List<SitePatch>> bySite = new LinkedHashMap<>();
  private final Set<String> patchedSites = new LinkedHashSet<>();
  private final Map<String, ImmutableList<ImmutableLongArray>> moduleShapes = new LinkedHashMap<>();

  CallWalk(ModuleCatalog catalog, MaskPass masks, ShapeCheck shapes) {
    this.catalog = catalog;
    this.masks = masks;
    this.shapes = shapes;
  }

  /**
   * The next call, in call order.
   *
   * @throws PlanException when the call would not run, or not compute the kept part, once pruned
   */
  void visit(TracedCall call) {
    OpRule rule = OpCatalog.ruleFor(call, catalog);
    masks.compute(call, rule::derivedMask);
    checkDense(call, call.tensorOutputs());
    checkDense(call, call.tensorInputs());
    shapes.check(call, rule);
    List<ArgPatch> patches = fromOwnConstants(call, rule.patches(call, masks));
    if (call.isModuleCall()) {
      moduleShapes.putIfAbsent(
          call.modulePath(),
          ImmutableList.of(
              ImmutableLongArray.copyOf(masks.compressedShape(call.tensorInputs().get(0))),
              ImmutableLongArray.copyOf(masks.compressedShape(call.tensorOutputs().get(0)))));
    } else {
      recordSite(call, patches);
    }
  }

  private void checkDense(TracedCall call, List<TensorRef> tensors) {
    for (TensorRef t : tensors) {
      if (!masks.mask(t).isEmpty() && masks.compressedShape(t) == null) {
        throw PlanException.irregular(t, call);
      }
    }
  }

  private void recordSite(TracedCall call, List<ArgPatch> patches) {
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
                ImmutableLongArray.copyOf(masks.compressedShape(first)),
                ImmutableList.copyOf(patches),
                call.site().location()));
  }

  /** Module path -> [pruned input shape, pruned output shape] of its first call. */
  ImmutableMap<String, ImmutableList<ImmutableLongArray>> moduleShapes() {
    return ImmutableMap.copyOf(moduleShapes);
  }

  /**
   * Every call of each site where some call needs new arguments.
   *
   * @throws PlanException when calls of one site with the same pruned input need different ones
   */
  ImmutableList<SitePatch> sitePatches() {
    ImmutableList.Builder<SitePatch> out = ImmutableList.builder();
    for (String site : patchedSites) {
      List<SitePatch> calls = bySite.get(site);
      checkSiteConsistent(calls);
      out.addAll(calls);
    }
    return out.build();
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
    Map<Integer, ArgPatch> byArg = new HashMap<>();
    for (ArgPatch p : patches) {
      byArg.put(p.argIndex(), p);
    }
    List<ArgPatch> out = new ArrayList<>();
    for (int i = 0; i < call.args().size(); i++) {
      Value pre = call.argsBeforeRewrite().get(i);
      Value post = call.args().get(i);
      boolean array = post instanceof Value.LongArrayValue;
      if (!array && !(post instanceof Value.LongValue)) {
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
}
