package io.jprune.pruner.app;

import com.google.common.base.Splitter;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import io.jprune.pruner.surgery.ModelTensors;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs before each {@code module.load(archive)} of the application. With {@code load=DIR}, a module
 * of the recorded class is first given the saved pruning (structure and DIR's weights), once, so
 * that the application's own checkpoint then loads into the right shapes, options and call sites.
 * Then every load is checked: libtorch's load does not compare shapes (it silently takes the
 * checkpoint's and leaves module options and rewritten call sites as they were), so a checkpoint
 * whose tensors do not have the module's shapes is refused, naming the first one.
 */
final class CheckpointGuard {
  private final Path loadDir;
  private final PruningRecord record;
  private final AgentLog log;
  private final Set<Long> restructured = new HashSet<>();

  CheckpointGuard(Path loadDir, AgentLog log) {
    this.loadDir = loadDir;
    this.record = loadDir == null ? null : PrunedModelFiles.readRecord(loadDir);
    this.log = log;
  }

  synchronized void beforeLoad(Object module, Object archive) {
    if (!(module instanceof Module m) || !(archive instanceof InputArchive in)) {
      return;
    }
    if (record != null
        && record.modelClass().equals(m.getClass().getName())
        && restructured.add(m.address())) {
      PrunedModelFiles.load(m, loadDir);
      log.result(
          "re-applied the pruning saved in "
              + loadDir
              + " to "
              + m.getClass().getName()
              + " before its load");
    }
    checkShapes(m, in);
  }

  private void checkShapes(Module m, InputArchive in) {
    for (Map.Entry<String, Tensor> e : ModelTensors.of(m).entrySet()) {
      Tensor saved = read(in, e.getKey());
      if (saved == null) {
        continue; // libtorch's load names a missing entry itself
      }
      long[] want = e.getValue().sizes().vec().get();
      long[] got = saved.sizes().vec().get();
      if (!Arrays.equals(want, got)) {
        throw new IllegalStateException(
            String.format(
                "jprune: the checkpoint loaded into %s "
                    + "holds %s of shape %s, but the model has %s: it was saved from a pruned model. "
                    + "Start the JVM with -javaagent:jprune-agent.jar=load=DIR (DIR: the output= of the "
                    + "run that pruned it), which re-applies the pruning before this load; libtorch's "
                    + "load would take the new shapes silently and leave module options and call sites "
                    + "unpruned",
                m.getClass().getName(), e.getKey(), Arrays.toString(got), Arrays.toString(want)));
      }
    }
  }

  /** The tensor {@code a.b.weight} of a module archive (sub-archives per child), or null. */
  private static Tensor read(InputArchive root, String name) {
    List<String> parts = Splitter.on('.').splitToList(name);
    InputArchive at = root;
    for (int i = 0; i < parts.size() - 1; i++) {
      InputArchive child = new InputArchive();
      if (!at.try_read(parts.get(i), child)) {
        return null;
      }
      at = child;
    }
    Tensor t = new Tensor();
    return at.try_read(parts.get(parts.size() - 1), t) ? t : null;
  }
}
