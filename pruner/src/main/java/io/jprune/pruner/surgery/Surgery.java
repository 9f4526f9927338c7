package io.jprune.pruner.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.cut.SitePatch;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.module.NamedModules;
import io.jprune.tracer.site.ArgumentRewrite;
import io.jprune.tracer.site.SiteKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Carries out validated {@link RemovalEffects} on a live model, atomically: parameters and buffers
 * are sliced in place ({@code set_data} of an {@code index_select} on the tensor's own device,
 * under no-grad, so the registered parameter, the module's field and forward all see the new
 * shape), module options are updated and call-site rewrites installed. Each change is recorded in
 * an {@link UndoJournal} before it is made; if anything fails, the journal puts the original
 * tensors, options and rewrites back before the exception leaves. Once a cut is kept, what training
 * holds of the cut parameters (gradients, optimizer state) is cut too ({@link #cutTrainingState},
 * {@link TrainingState}).
 */
public final class Surgery {
  private Surgery() {}

  /**
   * Applies the effects to {@code root} and keeps them.
   *
   * @return what was changed, as data (for saving a pruning record)
   * @throws PruneFailedException when a step fails; the model is as it was
   */
  public static AppliedChanges apply(Module root, RemovalEffects effects) {
    UndoJournal journal = new UndoJournal();
    AppliedChanges changes = apply(root, effects, journal, SurgeryListener.NONE);
    journal.commit();
    cutTrainingState(root, effects);
    return changes;
  }

  /**
   * After a cut is kept: cuts the gradients (and drops the stale grad accumulators) of the cut
   * parameters and the state the application's optimizers hold for them, so training goes on. Not
   * journaled: call it only once the cut is committed.
   */
  public static void cutTrainingState(Module root, RemovalEffects effects) {
    cutTrainingState(ModelTensors.of(root), effects);
  }

  /**
   * {@link #cutTrainingState(Module, RemovalEffects)} on the root's parameters and buffers as read
   * after the cut (see {@link ModelTensors#of}), for a caller that reads them anyway.
   */
  public static void cutTrainingState(Map<String, Tensor> tensors, RemovalEffects effects) {
    TrainingState.cut(tensors, effects.cuts().values(), TrainingState.appOptimizers());
  }

  /**
   * Applies the effects, runs {@code body} on the cut model and puts the model back as it was
   * (tensors, module options, call-site rewrites), whether {@code body} returns or throws: a
   * removal checked without being kept. Gradients are left alone (run {@code body} without).
   *
   * @throws PruneFailedException when the cut fails; the model is as it was
   */
  public static <T> T trial(Module root, RemovalEffects effects, Supplier<T> body) {
    UndoJournal journal = new UndoJournal();
    apply(root, effects, journal, SurgeryListener.NONE);
    Throwable failure = null;
    try {
      return body.get();
    } catch (RuntimeException | Error t) {
      failure = t;
      throw t;
    } finally {
      journal.rollback(failure);
    }
  }

  /**
   * Applies the effects to {@code root}, recording how to undo each change in {@code journal},
   * which the caller commits once it is satisfied (e.g. after a verifying forward) or rolls back.
   * If a step fails here, the journal is rolled back before the exception leaves.
   *
   * @param listener told before each change (throwing from it aborts and rolls back)
   * @return what was changed, as data (for saving a pruning record)
   * @throws PruneFailedException when a step fails; the model is as it was
   */
  public static AppliedChanges apply(
      Module root, RemovalEffects effects, UndoJournal journal, SurgeryListener listener) {
    Map<String, Tensor> tensors = ModelTensors.of(root);
    for (String name : effects.cuts().keySet()) {
      checkShape(ModelTensors.require(tensors, name), effects.cuts().get(name));
    }
    List<OptionChange> options = ModuleOptions.plan(root, effects);
    TrainingState.checkSupported(TrainingState.appOptimizers());
    run(
        journal,
        () -> {
          cutAll(tensors, effects.cuts().values(), journal, listener);
          setAll(options, journal, listener);
          rewriteAll(SiteRewrites.of(root), effects.sitePatches(), journal, listener);
        });
    return new AppliedChanges(
        ImmutableList.copyOf(effects.cuts().values()),
        options.stream()
            .map(
                c ->
                    new AppliedChanges.Option(
                        c.module(),
                        c.option(),
                        ImmutableLongArray.copyOf(c.before()),
                        ImmutableLongArray.copyOf(c.after())))
            .collect(ImmutableList.toImmutableList()),
        effects.sitePatches());
  }

  /**
   * Replays recorded changes on a freshly built original model (no trace, no plan): tensors are
   * cut, options set and call-site rewrites installed, each recorded in {@code journal}. Shapes are
   * checked first; a mismatch (another model class, other sizes) is refused before anything
   * changes, and a failure part-way rolls the journal back.
   */
  public static void replay(Module root, AppliedChanges changes, UndoJournal journal) {
    Map<String, Tensor> tensors = ModelTensors.of(root);
    for (ParamCut cut : changes.cuts()) {
      checkShape(ModelTensors.require(tensors, cut.param()), cut);
    }
    List<OptionChange> options = new ArrayList<>();
    NamedModules modules = NamedModules.of(root);
    for (AppliedChanges.Option o : changes.options()) {
      options.add(ModuleOptions.target(modules, o));
    }
    run(
        journal,
        () -> {
          cutAll(tensors, changes.cuts(), journal, SurgeryListener.NONE);
          setAll(options, journal, SurgeryListener.NONE);
          rewriteAll(SiteRewrites.of(root), changes.sitePatches(), journal, SurgeryListener.NONE);
        });
  }

  /** {@link #replay(Module, AppliedChanges, UndoJournal)}, kept at once. */
  public static void replay(Module root, AppliedChanges changes) {
    UndoJournal journal = new UndoJournal();
    replay(root, changes, journal);
    journal.commit();
  }

  private static void run(UndoJournal journal, Runnable steps) {
    try {
      steps.run();
    } catch (RuntimeException e) {
      journal.rollback(e);
      throw new PruneFailedException("pruning failed and was rolled back: " + e.getMessage(), e);
    }
  }

  private static void cutAll(
      Map<String, Tensor> tensors,
      Iterable<ParamCut> cuts,
      UndoJournal journal,
      SurgeryListener listener) {
    int k = 0;
    KeptIndices indices = new KeptIndices();
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut cut : cuts) {
        Tensor t = tensors.get(cut.param());
        checkShape(t, cut);
        listener.before(SurgeryListener.Step.CUT, k++, cut.param());
        // The original data by reference, not a copy: set_data gives t the cut tensor's storage
        // and leaves this alias's (the old storage) untouched, so undo puts back the same bytes.
        Tensor old = t.detach();
        journal.record(
            "cut of " + cut.param(),
            () -> {
              try (NoGradGuard ng = new NoGradGuard()) {
                t.set_data(old);
              }
            });
        t.set_data(cut(t, cut, indices));
      }
    }
  }

  private static void setAll(
      List<OptionChange> options, UndoJournal journal, SurgeryListener listener) {
    int k = 0;
    for (OptionChange c : options) {
      listener.before(SurgeryListener.Step.OPTION, k++, c.module() + "." + c.option());
      journal.record("option " + c, c::restore);
      c.apply();
    }
  }

  /**
   * Installs the rewrites in the model's own table, site by site, so that a failure can be injected
   * between sites; undo puts back that table only.
   */
  private static void rewriteAll(
      SiteRewrites rewrites,
      List<SitePatch> patches,
      UndoJournal journal,
      SurgeryListener listener) {
    Map<SiteKey, List<SitePatch>> bySite = new LinkedHashMap<>();
    for (SitePatch p : patches) {
      if (!p.patches().isEmpty()) {
        bySite.computeIfAbsent(p.key(), key -> new ArrayList<>()).add(p);
      }
    }
    int k = 0;
    for (Map.Entry<SiteKey, List<SitePatch>> e : bySite.entrySet()) {
      listener.before(SurgeryListener.Step.REWRITE, k++, e.getValue().get(0).location());
      Map<SiteKey, ArgumentRewrite> snapshot = rewrites.snapshot();
      journal.record(
          "rewrite at " + e.getValue().get(0).location(), () -> rewrites.restore(snapshot));
      rewrites.install(e.getValue());
    }
  }

  private static void checkShape(Tensor t, ParamCut cut) {
    ImmutableLongArray shape = cut.shape();
    boolean same = t.dim() == shape.length();
    for (int d = 0; same && d < shape.length(); d++) {
      same = t.size(d) == shape.get(d);
    }
    if (!same) {
      throw new IllegalStateException(
          cut.param()
              + " no longer has its traced shape "
              + shape
              + ": re-trace the model before pruning it again");
    }
  }

  /** The kept part of a tensor. */
  static Tensor cut(Tensor t, ParamCut cut) {
    return cut(t, cut, new KeptIndices());
  }

  /** The kept part of a tensor, with index tensors taken from (and added to) {@code indices}. */
  static Tensor cut(Tensor t, ParamCut cut, KeptIndices indices) {
    Tensor out = t;
    Device device = t.device();
    for (Map.Entry<Integer, ImmutableLongArray> e : cut.removed().entrySet()) {
      out = out.index_select(e.getKey(), indices.of(out.size(e.getKey()), e.getValue(), device));
    }
    if (!cut.groupedColumns().isEmpty()) {
      int groups = cut.groupedColumns().size();
      long rows = out.size(0) / groups;
      TensorVector parts = new TensorVector();
      for (int g = 0; g < groups; g++) {
        ImmutableLongArray removed = cut.groupedColumns().get(g);
        Tensor keep =
            indices.of(out.size(1), removed == null ? ImmutableLongArray.of() : removed, device);
        parts.push_back(out.narrow(0, g * rows, rows).index_select(1, keep));
      }
      out = torch.cat(parts, 0);
    }
    return out.contiguous();
  }
}
