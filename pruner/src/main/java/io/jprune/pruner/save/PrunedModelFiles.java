package io.jprune.pruner.save;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.surgery.AppliedChanges;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.surgery.Surgery;
import io.jprune.pruner.surgery.UndoJournal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

/**
 * Saves a pruned model as a directory ({@value #RECORD} + {@value #WEIGHTS}) and rebuilds it from a
 * freshly constructed original: the record's changes are replayed with {@link Surgery#replay} (no
 * tracing, no planning), then the weights are loaded.
 *
 * <p>libtorch's {@code Module.load} does not check shapes (a pruned checkpoint loaded into an
 * unpruned model silently reshapes its parameters and leaves options stale), so everything is
 * checked here first, before the model is touched: the model class, every original shape, and every
 * saved tensor's shape against the shape the replay will produce. Weights are written with a
 * libtorch {@link OutputArchive}, one flat entry per tensor, which round-trips bit-exactly.
 *
 * <pre>{@code
 * PrunedModelFiles.save(model, pruner, dir);
 * Module again = new MyModel();                 // the unpruned architecture, any weights
 * PrunedModelFiles.load(again, dir);            // pruned, with the saved weights
 * }</pre>
 */
public final class PrunedModelFiles {
  /** The pruning record's file name. */
  public static final String RECORD = "record.json";

  /** The weights archive's file name. */
  public static final String WEIGHTS = "weights.pt";

  private PrunedModelFiles() {}

  /** Saves a model pruned by {@code pruner} (its whole history). */
  public static PruningRecord save(Module model, Pruner pruner, Path dir) {
    checkNotNull(pruner, "pruner");
    checkArgument(
        pruner.model() == model,
        "the pruner prunes %s, not the given %s",
        pruner.model().getClass().getName(),
        model.getClass().getName());
    return save(model, pruner.history(), dir);
  }

  /**
   * Saves a pruned model and the changes that made it from the original, in order.
   *
   * @return the record written to {@value #RECORD}
   */
  public static PruningRecord save(Module model, List<AppliedChanges> history, Path dir) {
    return save(model, history, dir, false);
  }

  /**
   * Saves durably: the files are written into a temporary directory beside {@code dir}, flushed to
   * disk and renamed into place, so a failed or killed save leaves the previous save intact. The
   * weights go through a Java stream, so a write error (a full disk) is an exception, never a JVM
   * abort. {@value #RECORD} carries the SHA-256 of {@value #WEIGHTS}.
   *
   * @param replaceOtherSave whether {@code dir} may hold another model class's save (or other
   *     files) that this save replaces; otherwise that is refused before anything is written
   * @return the record written to {@value #RECORD}
   */
  public static PruningRecord save(
      Module model, List<AppliedChanges> history, Path dir, boolean replaceOtherSave) {
    checkNotNull(model, "model");
    checkNotNull(history, "history");
    checkNotNull(dir, "dir");
    if (!replaceOtherSave) {
      checkOwnSave(dir, model.getClass().getName());
    }
    Map<String, Tensor> tensors = NamedTensors.all(model);
    ImmutableList<PruningRecord.Weight> weights = weightsOf(model, tensors);
    ImmutableMap<String, ImmutableLongArray> original = originalShapes(model, weights, history);
    OutputArchive archive = new OutputArchive();
    for (PruningRecord.Weight w : weights) {
      archive.write(w.key(), tensors.get(w.name()), w.buffer());
    }
    ByteArrayOutputStream weightBytes = new ByteArrayOutputStream();
    ArchiveBytes.write(archive, weightBytes);
    byte[] bytes = weightBytes.toByteArray();
    PruningRecord record =
        new PruningRecord(
            model.getClass().getName(),
            original,
            weights.stream()
                .filter(PruningRecord.Weight::buffer)
                .map(PruningRecord.Weight::name)
                .collect(ImmutableSet.toImmutableSet()),
            ImmutableList.copyOf(history),
            weights,
            sha256(bytes));
    checkArgument(
        record.prunedShapes().equals(currentShapes(record.weights())),
        "the history does not lead from the original shapes to %s's current ones: was it "
            + "pruned by other means too?",
        model.getClass().getName());
    writeDurably(dir, bytes, record);
    return record;
  }

  /** One weights entry per tensor of the model, in its order, keyed {@code t0, t1, ...}. */
  private static ImmutableList<PruningRecord.Weight> weightsOf(
      Module model, Map<String, Tensor> tensors) {
    ImmutableSet<String> params = ImmutableSet.copyOf(NamedTensors.parameters(model).keySet());
    ImmutableList.Builder<PruningRecord.Weight> weights = ImmutableList.builder();
    int i = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      boolean buffer = !params.contains(e.getKey());
      weights.add(new PruningRecord.Weight(e.getKey(), "t" + i++, shapeOf(e.getValue()), buffer));
    }
    return weights.build();
  }

  /** The shapes before {@code history}: a tensor's is the one its first cut started from. */
  private static ImmutableMap<String, ImmutableLongArray> originalShapes(
      Module model, List<PruningRecord.Weight> weights, List<AppliedChanges> history) {
    Map<String, ImmutableLongArray> original = currentShapes(weights);
    for (int step = history.size() - 1; step >= 0; step--) {
      for (ParamCut cut : history.get(step).cuts()) {
        checkArgument(
            original.containsKey(cut.param()),
            "the history cuts %s, which %s does " + "not have",
            cut.param(),
            model.getClass().getName());
        original.put(cut.param(), cut.shape());
      }
    }
    return ImmutableMap.copyOf(original);
  }

  /**
   * Writes both files into {@code dir} at once ({@link DurableDirectory}), or leaves it as it was.
   */
  private static void writeDurably(Path dir, byte[] weights, PruningRecord record) {
    DurableDirectory out = DurableDirectory.begin(dir);
    try {
      out.write(WEIGHTS, stream -> writeAll(stream, weights));
      out.write(
          RECORD, stream -> writeAll(stream, record.toJson().getBytes(StandardCharsets.UTF_8)));
      out.commit();
    } catch (RuntimeException e) {
      out.abandon();
      throw e;
    }
  }

  private static void writeAll(java.io.OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /**
   * Refuses a directory that holds something other than a save of this model class: another model's
   * save, files that are not a save, or a plain file (what {@link #save} refuses unless asked to
   * replace it). Callers check before a long prune.
   *
   * @throws IllegalArgumentException naming what {@code dir} holds
   */
  public static void checkOwnSave(Path dir, String modelClass) {
    if (!Files.exists(dir)) {
      return;
    }
    checkArgument(Files.isDirectory(dir), "%s is a file, not a directory", dir);
    Path record = dir.resolve(RECORD);
    if (Files.isRegularFile(record)) {
      String other;
      try {
        com.google.gson.JsonElement e =
            com.google.gson.JsonParser.parseString(Files.readString(record, StandardCharsets.UTF_8))
                .getAsJsonObject()
                .get("modelClass");
        other = e == null ? "an unknown model" : e.getAsString();
      } catch (IOException | RuntimeException e) {
        other = "an unreadable record";
      }
      checkArgument(
          other.equals(modelClass),
          "%s holds a save of %s, not of %s: refusing to "
              + "overwrite it (save with replaceOtherSave to replace it)",
          dir,
          other,
          modelClass);
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      List<Path> present = files.limit(3).toList();
      checkArgument(
          present.isEmpty(),
          "%s holds files that are not a jprune save (%s): refusing "
              + "to overwrite them (save with replaceOtherSave to replace them)",
          dir,
          present);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads {@value #RECORD} of a saved directory. */
  public static PruningRecord readRecord(Path dir) {
    checkNotNull(dir, "dir");
    Path file = dir.resolve(RECORD);
    Path interrupted = DurableDirectory.interrupted(dir);
    checkArgument(
        interrupted == null,
        "no save at %s: a save died while moving it into place; "
            + "the previous save is intact at %s",
        dir,
        interrupted);
    checkArgument(Files.isRegularFile(file), "no %s in %s", RECORD, dir);
    try {
      return PruningRecord.fromJson(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Turns a freshly built original model into the saved pruned one: checks, replays the changes
   * (parameter cuts, module options, call-site rewrites) and loads the weights.
   *
   * @param freshOriginalModel an unpruned instance of the recorded class (its weights are replaced)
   * @return the record that was applied
   * @throws IllegalArgumentException naming the mismatch (class, tensor, shape) before anything
   *     changes
   */
  public static PruningRecord load(Module freshOriginalModel, Path dir) {
    checkNotNull(freshOriginalModel, "freshOriginalModel");
    PruningRecord record = readRecord(dir);
    String got = freshOriginalModel.getClass().getName();
    checkArgument(
        record.modelClass().equals(got), "record is for %s, got %s", record.modelClass(), got);
    checkOriginalShapes(record, NamedTensors.all(freshOriginalModel), got);
    RecordCheck.check(record);
    Map<String, Tensor> loaded = readWeights(record, dir);
    UndoJournal journal = new UndoJournal();
    try {
      for (AppliedChanges changes : record.changes()) {
        Surgery.replay(freshOriginalModel, changes, journal);
      }
      setWeights(NamedTensors.all(freshOriginalModel), loaded, journal);
    } catch (RuntimeException e) {
      if (!(e instanceof PruneFailedException)) {
        journal.rollback(e);
      }
      throw new IllegalStateException(
          "loading "
              + dir
              + " failed and was rolled back, the model "
              + "is as it was: "
              + e.getMessage(),
          e);
    }
    journal.commit();
    return record;
  }

  /** The model's tensors are exactly the record's original ones, of the recorded shapes. */
  private static void checkOriginalShapes(
      PruningRecord record, Map<String, Tensor> tensors, String got) {
    for (Map.Entry<String, ImmutableLongArray> e : record.originalShapes().entrySet()) {
      String kind = record.buffers().contains(e.getKey()) ? "buffer" : "parameter";
      Tensor t = tensors.get(e.getKey());
      checkArgument(
          t != null,
          "%s has no %s %s, the record expects one of shape %s",
          got,
          kind,
          e.getKey(),
          e.getValue());
      ImmutableLongArray shape = shapeOf(t);
      checkArgument(
          shape.equals(e.getValue()),
          "%s %s has shape %s, the record expects %s",
          kind,
          e.getKey(),
          shape,
          e.getValue());
    }
    for (String name : tensors.keySet()) {
      checkArgument(
          record.originalShapes().containsKey(name),
          "%s has %s, which the record does not list",
          got,
          name);
    }
  }

  /** Gives each pruned tensor its loaded data, each change journaled for a rollback. */
  private static void setWeights(
      Map<String, Tensor> pruned, Map<String, Tensor> loaded, UndoJournal journal) {
    try (NoGradGuard guard = new NoGradGuard()) {
      for (Map.Entry<String, Tensor> e : loaded.entrySet()) {
        Tensor target = pruned.get(e.getKey());
        Tensor old = target.detach().clone();
        journal.record(
            "weights of " + e.getKey(),
            () -> {
              try (NoGradGuard g = new NoGradGuard()) {
                target.set_data(old);
              }
            });
        target.set_data(e.getValue());
      }
    }
  }

  /** Reads every saved tensor and checks it against the shape the replay will produce. */
  private static Map<String, Tensor> readWeights(PruningRecord record, Path dir) {
    Path file = dir.resolve(WEIGHTS);
    checkArgument(Files.isRegularFile(file), "no %s in %s", WEIGHTS, dir);
    ImmutableMap<String, ImmutableLongArray> expected = record.prunedShapes();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String sha = sha256(bytes);
    checkArgument(
        sha.equals(record.weightsSha256()),
        "checksum mismatch in %s: its SHA-256 is "
            + "%s, %s records %s (the file is corrupt or from another save)",
        WEIGHTS,
        sha,
        RECORD,
        record.weightsSha256());
    InputArchive archive = ArchiveBytes.read(bytes);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (PruningRecord.Weight w : record.weights()) {
      checkArgument(
          expected.containsKey(w.name()),
          "%s holds %s, which the record's model " + "does not have",
          WEIGHTS,
          w.name());
      Tensor t = new Tensor();
      archive.read(w.key(), t, w.buffer());
      ImmutableLongArray shape = shapeOf(t);
      checkArgument(
          shape.equals(expected.get(w.name())),
          "%s holds %s of shape %s, the pruned " + "model has %s",
          WEIGHTS,
          w.name(),
          shape,
          expected.get(w.name()));
      out.put(w.name(), t);
    }
    checkArgument(
        out.keySet().equals(expected.keySet()),
        "%s lacks %s",
        WEIGHTS,
        expected.keySet().stream().filter(n -> !out.containsKey(n)).toList());
    return out;
  }

  private static Map<String, ImmutableLongArray> currentShapes(List<PruningRecord.Weight> ws) {
    Map<String, ImmutableLongArray> out = new LinkedHashMap<>();
    ws.forEach(w -> out.put(w.name(), w.shape()));
    return out;
  }

  private static ImmutableLongArray shapeOf(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int d = 0; d < s.length; d++) {
      s[d] = t.size(d);
    }
    return ImmutableLongArray.copyOf(s);
  }
}
