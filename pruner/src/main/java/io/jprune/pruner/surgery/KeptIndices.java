package io.jprune.pruner.surgery;

import com.google.common.primitives.ImmutableLongArray;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/**
 * The int64 index tensors of kept entries for one surgery, made once per (size, removed indices,
 * device) and shared: a group's channels are cut alike from every parameter it holds (conv rows, BN
 * entries, the next conv's columns), so each of its dims needs one index tensor, not one per
 * parameter. Index tensors are only read by {@code index_select}, so sharing them is safe.
 */
final class KeptIndices {
  private record Key(long size, ImmutableLongArray removed, String device) {}

  private final Map<Key, Tensor> made = new HashMap<>();

  /** The indices of {@code [0, size)} not in {@code removed} (sorted), on {@code device}. */
  Tensor of(long size, ImmutableLongArray removed, Device device) {
    String where = device.is_cpu() ? "cpu" : device.str().getString();
    return made.computeIfAbsent(
        new Key(size, removed, where),
        k -> IndexTensor.of(IndexTensor.kept(size, removed.toArray()), device));
  }

  /** Index tensors made so far (for tests). */
  int size() {
    return made.size();
  }
}
