package io.jprune.pruner;

import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.surgery.AppliedChanges;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.pruner.surgery.SurgeryListener;
import io.jprune.pruner.surgery.UndoJournal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Applies validated removals to one model atomically and keeps what was applied: a cut is kept only
 * once a forward of the pruned model ran, else every tensor, option and call-site rewrite is put
 * back (byte-identical). The history is what a saved pruning record replays; its length tells a
 * trace of the model whether a cut came after it.
 */
final class AtomicCuts {
  private final Module model;
  private final SurgeryListener listener;
  private final List<AppliedChanges> history = new ArrayList<>();

  AtomicCuts(Module model, SurgeryListener listener) {
    this.model = model;
    this.listener = listener;
  }

  /**
   * Cuts, then runs {@code afterCut} (a forward of the pruned model) before keeping the cut, and
   * returns what it returned with the model's parameter count after the cut.
   *
   * @throws PruneFailedException if that forward throws (surgery's own failures roll back and throw
   *     as they are)
   */
  <T> Kept<T> cutAndKeep(RemovalEffects effects, Supplier<T> afterCut) {
    UndoJournal journal = new UndoJournal();
    AppliedChanges changes = Surgery.apply(model, effects, journal, listener);
    T result;
    try {
      result = afterCut.get();
    } catch (RuntimeException e) {
      journal.rollback(e);
      throw new PruneFailedException(
          "the forward of the pruned model failed, the pruning was rolled back: " + e.getMessage(),
          e);
    }
    journal.commit();
    // gradients and optimizer state follow the cut; the parameters read for it are counted too,
    // instead of walking the model's parameters once more
    Map<String, Tensor> parameters = ModelTensors.parameters(model);
    Map<String, Tensor> tensors = new LinkedHashMap<>(parameters);
    tensors.putAll(ModelTensors.buffers(model));
    Surgery.cutTrainingState(tensors, effects);
    history.add(changes);
    return new Kept<>(result, count(parameters));
  }

  /** What {@link #cutAndKeep} returns: the forward's result and the parameters now. */
  record Kept<T>(T result, long parameters) {}

  /** Cuts kept so far. */
  int count() {
    return history.size();
  }

  /** Every cut kept so far, in order. */
  List<AppliedChanges> history() {
    return List.copyOf(history);
  }

  /** Parameters of the model now. */
  long parameterCount() {
    return count(ModelTensors.parameters(model));
  }

  private static long count(Map<String, Tensor> parameters) {
    long n = 0;
    for (Tensor t : parameters.values()) {
      n += t.numel();
    }
    return n;
  }
}
