package io.jprune.pruner.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.RemovalEffects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Carries out validated {@link RemovalEffects} on a live model, atomically: parameters and
 * buffers are sliced in place ({@code set_data} of an {@code index_select} on the tensor's own
 * device, under no-grad, so the registered parameter, the module's field and forward all see the
 * new shape), module options are updated and call-site rewrites installed. If anything fails, the
 * original tensors, options and rewrites are put back before the exception leaves. Then what
 * training holds of the cut parameters (gradients, optimizer state) is cut too
 * ({@link TrainingState}).
 */
public final class Surgery {
  private Surgery() {}

  /**
   * Applies the effects to {@code root}.
   *
   * @return what was changed, as data (for saving a pruning record)
   * @throws PruneFailedException when a step fails; the model is as it was
   */
  public static AppliedChanges apply(Module root, RemovalEffects effects) {
    Map<String, Tensor> tensors = ModelTensors.of(root);
    for (String name : effects.cuts().keySet()) {
      ModelTensors.require(tensors, name);
    }
    List<OptionChange> options = ModuleOptions.plan(root, effects);
    List<Optimizer> optimizers = TrainingState.appOptimizers();
    TrainingState.checkSupported(optimizers);
    Map<String, Tensor> backups = new LinkedHashMap<>();
    List<OptionChange> applied = new ArrayList<>();
    Map<io.jprune.tracer.site.SiteKey, List<io.jprune.pruner.graph.SitePatch>> rewrites =
        SiteRewrites.snapshot();
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut cut : effects.cuts().values()) {
        Tensor t = tensors.get(cut.param());
        checkShape(t, cut);
        backups.put(cut.param(), t.detach().clone());
        t.set_data(cut(t, cut));
      }
      for (OptionChange c : options) {
        c.apply();
        applied.add(c);
      }
      SiteRewrites.install(effects.sitePatches());
    } catch (RuntimeException e) {
      restore(tensors, backups, applied);
      SiteRewrites.restore(rewrites);
      throw new PruneFailedException("pruning failed and was rolled back: " + e.getMessage(), e);
    }
    TrainingState.cut(tensors, effects.cuts().values(), optimizers);
    return new AppliedChanges(ImmutableList.copyOf(effects.cuts().values()),
        options.stream().map(c -> new AppliedChanges.Option(c.module(), c.option(),
            ImmutableLongArray.copyOf(c.before()), ImmutableLongArray.copyOf(c.after())))
            .collect(ImmutableList.toImmutableList()),
        effects.sitePatches());
  }

  /**
   * Replays recorded changes on a freshly built original model (no trace, no plan): tensors are
   * cut, options set and call-site rewrites installed. Shapes are checked first; a mismatch
   * (another model class, other sizes) is refused before anything changes.
   */
  public static void replay(Module root, AppliedChanges changes) {
    Map<String, Tensor> tensors = ModelTensors.of(root);
    for (ParamCut cut : changes.cuts()) {
      checkShape(ModelTensors.require(tensors, cut.param()), cut);
    }
    List<OptionChange> options = new ArrayList<>();
    for (AppliedChanges.Option o : changes.options()) {
      options.add(ModuleOptions.target(root, o));
    }
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut cut : changes.cuts()) {
        Tensor t = tensors.get(cut.param());
        t.set_data(cut(t, cut));
      }
    }
    options.forEach(OptionChange::apply);
    SiteRewrites.install(changes.sitePatches());
  }

  private static void checkShape(Tensor t, ParamCut cut) {
    ImmutableLongArray shape = cut.shape();
    boolean same = t.dim() == shape.length();
    for (int d = 0; same && d < shape.length(); d++) {
      same = t.size(d) == shape.get(d);
    }
    if (!same) {
      throw new IllegalStateException(cut.param() + " no longer has its traced shape " + shape
          + ": re-trace the model before pruning it again");
    }
  }

  private static void restore(Map<String, Tensor> tensors, Map<String, Tensor> backups,
      List<OptionChange> applied) {
    try (NoGradGuard g = new NoGradGuard()) {
      backups.forEach((name, old) -> tensors.get(name).set_data(old));
    }
    for (OptionChange c : applied) {
      c.restore();
    }
  }

  /** The kept part of a tensor. */
  static Tensor cut(Tensor t, ParamCut cut) {
    Tensor out = t;
    for (Map.Entry<Integer, ImmutableLongArray> e : cut.removed().entrySet()) {
      long[] keep = IndexTensor.kept(out.size(e.getKey()), e.getValue().toArray());
      out = out.index_select(e.getKey(), IndexTensor.of(keep, t.device()));
    }
    if (!cut.groupedColumns().isEmpty()) {
      int groups = cut.groupedColumns().size();
      long rows = out.size(0) / groups;
      TensorVector parts = new TensorVector();
      for (int g = 0; g < groups; g++) {
        ImmutableLongArray removed = cut.groupedColumns().get(g);
        long[] keep = IndexTensor.kept(out.size(1), removed == null ? new long[0]
            : removed.toArray());
        parts.push_back(out.narrow(0, g * rows, rows).index_select(1,
            IndexTensor.of(keep, t.device())));
      }
      out = torch.cat(parts, 0);
    }
    return out.contiguous();
  }
}
