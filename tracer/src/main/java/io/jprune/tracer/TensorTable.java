package io.jprune.tracer;

import com.google.common.primitives.ImmutableLongArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;

/**
 * Tensor identity for one trace session: TensorImpl address to the latest {@link TensorRef}.
 *
 * <p>libtorch reuses freed TensorImpl addresses almost at once, so the table keeps one extra
 * reference to every impl it has seen until {@link #release()}; an address therefore names one
 * tensor for the whole session.
 */
final class TensorTable {
  private final Map<Long, TensorRef> latest = new HashMap<>();
  private final List<TensorRef> all = new ArrayList<>();

  /** One extra owner per address seen, in order of first sight. */
  private final Map<Long, Tensor> keepAlive = new LinkedHashMap<>();

  /**
   * Autograd's in-place version counter of each address when a traced call last touched it: a
   * different count at the next read means code jprune did not see changed it in place.
   */
  private final Map<Long, Long> counters = new HashMap<>();

  private final Map<Long, String> parameterNames;
  private final Map<Long, String> bufferNames;

  TensorTable(Map<Long, String> parameterNames, Map<Long, String> bufferNames) {
    this.parameterNames = parameterNames;
    this.bufferNames = bufferNames;
  }

  /** The ref a call reads: the latest value at this address, or a new external/parameter ref. */
  TensorRef input(TensorBase t) {
    return read(t, TensorOrigin.EXTERNAL);
  }

  /** Like {@link #input}, for an argument of the root's forward: a new ref is a model input. */
  TensorRef modelInput(TensorBase t) {
    return read(t, TensorOrigin.INPUT);
  }

  private TensorRef read(TensorBase t, TensorOrigin unknown) {
    long address = t.unsafeGetTensorImpl().address();
    TensorRef known = latest.get(address);
    if (known != null) {
      Long counted = counters.get(address);
      if (counted == null || counted == versionCounter(t)) {
        return known;
      }
      // Changed in place since a traced call last saw it, by code jprune did not see.
      return add(t, address, known.version() + 1, TensorOrigin.EXTERNAL, known.name(), -1);
    }
    String param = parameterNames.get(address);
    String buffer = bufferNames.get(address);
    TensorOrigin origin =
        param != null ? TensorOrigin.PARAMETER : buffer != null ? TensorOrigin.BUFFER : unknown;
    return add(t, address, 0, origin, param != null ? param : buffer, -1);
  }

  /** The ref a call writes; an address seen before (in-place op, no-op) gets a new version. */
  TensorRef output(TensorBase t, int producer) {
    long address = t.unsafeGetTensorImpl().address();
    TensorRef previous = latest.get(address);
    int version = previous == null ? 0 : previous.version() + 1;
    String name = previous == null ? null : previous.name();
    return add(t, address, version, TensorOrigin.RESULT, name, producer);
  }

  private TensorRef add(
      TensorBase t, long address, int version, TensorOrigin origin, String name, int producer) {
    if (!latest.containsKey(address)) {
      // one more owner: the impl (and its address) outlive the op
      keepAlive.put(address, new Tensor(t));
    }
    long counter = versionCounter(t);
    if (counter >= 0) {
      counters.put(address, counter);
    }
    TensorRef ref =
        new TensorRef(
            all.size(),
            address,
            version,
            shapeOf(t),
            t.scalar_type().intern().name(),
            deviceOf(t),
            origin,
            name,
            producer);
    all.add(ref);
    latest.put(address, ref);
    return ref;
  }

  /**
   * After a traced op that may write its inputs in place (an {@code out=} argument, a norm's
   * running statistics), takes their current counts, so that only changes made between traced calls
   * count as unseen.
   */
  void settle(TensorBase t) {
    long address = t.unsafeGetTensorImpl().address();
    if (latest.containsKey(address)) {
      long counter = versionCounter(t);
      if (counter >= 0) {
        counters.put(address, counter);
      }
    }
  }

  /**
   * After a traced in-place op, takes the current count of every tensor seen: a view shares its
   * base's count, so writing through one changes the other's count too, by a traced call.
   */
  void settleAll() {
    keepAlive.forEach(
        (address, t) -> {
          long counter = versionCounter(t);
          if (counter >= 0) {
            counters.put(address, counter);
          }
        });
  }

  /** The tensor's in-place version count, or -1 where it keeps none (inference tensors). */
  private static long versionCounter(TensorBase t) {
    try {
      return t._version();
    } catch (RuntimeException noCounter) {
      return -1;
    }
  }

  private static ImmutableLongArray shapeOf(TensorBase t) {
    int rank = (int) t.dim();
    long[] shape = new long[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = t.size(i);
    }
    return ImmutableLongArray.copyOf(shape);
  }

  private static String deviceOf(TensorBase t) {
    return t.is_cuda() ? t.device().str().getString() : "cpu";
  }

  List<TensorRef> all() {
    return all;
  }

  /** Drops the extra references; the refs stay valid as metadata. */
  void release() {
    for (Tensor t : keepAlive.values()) {
      t.close();
    }
    keepAlive.clear();
    latest.clear();
    counters.clear();
  }
}
