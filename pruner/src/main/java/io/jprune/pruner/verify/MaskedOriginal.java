package io.jprune.pruner.verify;

import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.surgery.ModelTensors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The unpruned model with the removed channels zeroed on the producer side (layer output rows,
 * biases, norm affine, bare parameters' slices): what a pruned model must reproduce on the kept
 * channels wherever the path is zero-preserving. Zeroes in place and restores afterwards.
 */
public final class MaskedOriginal {
  private MaskedOriginal() {}

  /** Runs {@code forward} on the masked model and returns a copy of its output. */
  public static Tensor output(Module root, RemovalEffects effects, Supplier<Tensor> forward) {
    Map<String, Tensor> tensors = ModelTensors.of(root);
    Map<String, Map<Integer, TreeSet<Long>>> zero = new LinkedHashMap<>();
    for (ParamSlice s : effects.zeroed()) {
      zero.computeIfAbsent(s.param(), p -> new LinkedHashMap<>())
          .computeIfAbsent(s.dim(), d -> new TreeSet<>())
          .add(s.index());
    }
    Map<String, Tensor> backups = new LinkedHashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (Map.Entry<String, Map<Integer, TreeSet<Long>>> e : zero.entrySet()) {
        Tensor t = tensors.get(e.getKey());
        backups.put(e.getKey(), t.detach().clone());
        for (Map.Entry<Integer, TreeSet<Long>> d : e.getValue().entrySet()) {
          t.index_fill_(d.getKey(), indices(List.copyOf(d.getValue()), t), new Scalar(0.0));
        }
      }
      return forward.get().detach().clone();
    } finally {
      try (NoGradGuard g = new NoGradGuard()) {
        backups.forEach((name, old) -> tensors.get(name).copy_(old));
      }
    }
  }

  private static Tensor indices(List<Long> idx, Tensor like) {
    long[] a = idx.stream().mapToLong(Long::longValue).toArray();
    Tensor t = torch.zeros(new long[] {a.length}, new TensorOptions(torch.ScalarType.Long));
    new LongPointer(t.data_ptr_long()).capacity(a.length).put(a);
    return like.is_cuda() ? t.to(like.device(), torch.ScalarType.Long) : t;
  }
}
