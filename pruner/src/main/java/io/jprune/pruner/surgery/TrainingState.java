package io.jprune.pruner.surgery;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.tracer.site.AppHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.LBFGS;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Cuts what training holds beside the parameters, with the same cuts, so that training goes on
 * after a prune: each parameter's {@code .grad}, its cached gradient accumulator, and the
 * per-parameter state of libtorch optimizers (SGD momentum buffers; Adam/AdamW {@code exp_avg},
 * {@code exp_avg_sq}, {@code max_exp_avg_sq}; RMSprop and Adagrad buffers).
 *
 * <p>Measured on these bindings (2.10.0-1.5.13): {@code set_data} keeps the parameter's TensorImpl,
 * so the optimizers' param groups see the new shape and their state, keyed by the TensorImpl
 * address, stays attached; but the state tensors keep the old shape ("The size of tensor a (3) must
 * match the size of tensor b (2)" at the next {@code step()}). The bindings expose no {@code
 * state()}, so the state goes through the optimizer's own archive: saved, every per-parameter
 * tensor of a cut parameter's old shape cut, loaded back ({@code load} maps entries to parameters
 * by position, as libtorch does). And a graph of the previous training step that is still reachable
 * keeps the parameter's gradient accumulator with the old shape ("AddmmBackward0 returned an
 * invalid gradient ... got [5, 2] but expected shape compatible with [3]" at the next backward);
 * libtorch drops it only on a dtype or device change, hence the dtype round trip.
 */
public final class TrainingState {
  private TrainingState() {}

  /** The application's optimizers the agent saw being constructed (none without the agent). */
  public static List<Optimizer> appOptimizers() {
    List<Optimizer> out = new ArrayList<>();
    for (Object o : AppHooks.optimizers()) {
      if (o instanceof Optimizer opt) {
        out.add(opt);
      }
    }
    return out;
  }

  /**
   * Refuses optimizers whose state is not per parameter (LBFGS keeps flat vectors over all
   * parameters), before anything is cut.
   *
   * @throws IllegalStateException naming the optimizer
   */
  public static void checkSupported(Collection<Optimizer> optimizers) {
    for (Optimizer o : optimizers) {
      if (o instanceof LBFGS) {
        throw new IllegalStateException(
            "jprune cannot cut the state of the application's LBFGS"
                + " optimizer (flat vectors over all parameters); nothing was pruned");
      }
    }
  }

  /**
   * Cuts gradients, gradient accumulators and optimizer state of the parameters in {@code tensors}
   * (live handles, already cut) as {@code cuts} did.
   *
   * @param tensors the model's parameters and buffers by name, already cut
   * @param cuts the cuts applied, each with the shape it started from
   * @param optimizers the application's optimizers
   */
  public static void cut(
      Map<String, Tensor> tensors, Collection<ParamCut> cuts, Collection<Optimizer> optimizers) {
    Map<Long, ParamCut> byImpl = new HashMap<>();
    KeptIndices indices = new KeptIndices();
    Map<Long, Tensor> detours = new HashMap<>();
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut cut : cuts) {
        Tensor p = tensors.get(cut.param());
        if (p == null || !p.requires_grad()) {
          continue; // buffers: no grad, no optimizer state
        }
        byImpl.put(p.unsafeGetTensorImpl().address(), cut);
        Tensor grad = p.grad();
        if (grad != null && grad.defined() && hasShape(grad, cut.shape())) {
          grad.set_data(Surgery.cut(grad, cut, indices));
        }
        dropGradAccumulator(p, detours);
      }
    }
    for (Optimizer o : optimizers) {
      cutState(o, byImpl);
    }
  }

  /**
   * A dtype round trip: the only way libtorch drops a parameter's cached grad accumulator. The
   * detour goes through an empty tensor of another dtype (set_data takes any shape), not a
   * converted copy of the parameter: same effect, no copy of the weights. One empty tensor per
   * dtype and device serves every parameter of a cut ({@code detours}): each parameter holds it
   * only between its two set_data calls.
   */
  private static void dropGradAccumulator(Tensor p, Map<Long, Tensor> detours) {
    Tensor keep = p.detach();
    // by value: scalar_type() hands out a new enum object each call, never == the constant
    torch.ScalarType other =
        p.scalar_type().value == torch.ScalarType.Double.value
            ? torch.ScalarType.Float
            : torch.ScalarType.Double;
    Device device = p.device();
    long key =
        ((long) other.value << 32) | ((long) device.type().value << 8) | (device.index() & 0xff);
    Tensor detour =
        detours.computeIfAbsent(
            key,
            k ->
                torch.zeros(
                    new long[] {0}, new TensorOptions(other).device(new DeviceOptional(device))));
    p.set_data(detour);
    p.set_data(keep);
  }

  /** Rewrites the optimizer's state through its archive, cutting the cut parameters' entries. */
  private static void cutState(Optimizer optimizer, Map<Long, ParamCut> byImpl) {
    Path saved = null;
    Path rebuilt = null;
    try {
      saved = Files.createTempFile("jprune-optimizer", ".pt");
      rebuilt = Files.createTempFile("jprune-optimizer-cut", ".pt");
      OutputArchive out = new OutputArchive();
      optimizer.save(out);
      out.save_to(saved.toString());
      InputArchive in = new InputArchive();
      in.load_from(saved.toString());
      OutputArchive copy = new OutputArchive();
      int changed = copy(in, copy, byImpl, null);
      if (changed == 0) {
        return;
      }
      copy.save_to(rebuilt.toString());
      InputArchive back = new InputArchive();
      back.load_from(rebuilt.toString());
      optimizer.load(back);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the optimizer's state to a temporary file", e);
    } finally {
      delete(saved);
      delete(rebuilt);
    }
  }

  /**
   * Copies an archive; inside {@code state/<impl address>} a tensor of the cut parameter's original
   * shape is cut. Returns the number of tensors cut.
   */
  private static int copy(
      InputArchive in, OutputArchive out, Map<Long, ParamCut> byImpl, ParamCut entryCut) {
    int changed = 0;
    StringVector keys = in.keys();
    for (long i = 0; i < keys.size(); i++) {
      String key = keys.get(i).getString();
      InputArchive sub = new InputArchive();
      if (in.try_read(key, sub)) {
        OutputArchive subOut = new OutputArchive(out.compilation_unit());
        changed += copy(sub, subOut, byImpl, entryCut != null ? entryCut : cutOf(key, byImpl));
        out.write(key, subOut);
        continue;
      }
      IValue value = new IValue();
      in.read(key, value);
      if (entryCut != null && value.isTensor() && hasShape(value.toTensor(), entryCut.shape())) {
        value = new IValue(Surgery.cut(value.toTensor(), entryCut));
        changed++;
      }
      out.write(key, value);
    }
    return changed;
  }

  /** The cut of the parameter whose TensorImpl address is {@code key}, if it is one. */
  private static ParamCut cutOf(String key, Map<Long, ParamCut> byImpl) {
    if (key.isEmpty() || !key.chars().allMatch(Character::isDigit)) {
      return null;
    }
    try {
      return byImpl.get(Long.parseUnsignedLong(key));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean hasShape(Tensor t, ImmutableLongArray shape) {
    if (t.dim() != shape.length()) {
      return false;
    }
    for (int d = 0; d < shape.length(); d++) {
      if (t.size(d) != shape.get(d)) {
        return false;
      }
    }
    return true;
  }

  private static void delete(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temporary file left behind is harmless
      }
    }
  }
}
