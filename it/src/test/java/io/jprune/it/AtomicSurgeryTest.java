package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.surgery.ModelDigest;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.surgery.PruneFailedException;
import io.jprune.pruner.surgery.SurgeryListener;
import io.jprune.zoo.NarrowAttention;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real atomicity (issue 9): a fault injected at the k-th tensor cut, the k-th option change, the
 * k-th call-site rewrite, or in the forward that checks the pruned model, leaves every parameter
 * and buffer byte-identical (SHA-256 of names, shapes and bytes), the options as they were (the
 * Linear/LayerNorm option values are read back) and the rewrites gone (the forward's output is
 * bit-identical to the unpruned one). One dynamic test per (step, k); then the same pruner prunes
 * for real.
 */
class AtomicSurgeryTest {

  /** Linear, LayerNorm, attention over narrowed q/k/v (rewritten narrow/view sites), a head. */
  public static final class Tiny extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(16, 32));
    private final LayerNormImpl norm =
        register_module(
            "norm", new LayerNormImpl(new LayerNormOptions(new LongVector(new long[] {32}))));
    private final NarrowAttention attn = register_module("attn", new NarrowAttention(32, 4, 4));
    private final LinearImpl out = register_module("out", new LinearImpl(32, 5));

    public Tensor forward(Tensor x) {
      Tensor h = norm.forward(in.forward(x).relu());
      return out.forward(attn.forward(h).relu());
    }
  }

  private record Fault(SurgeryListener.Step step, int index) {
    boolean postCutForward() {
      return step == null;
    }

    @Override
    public String toString() {
      return postCutForward()
          ? "fault in the forward after the cut"
          : "fault at " + step + " #" + index;
    }
  }

  @TestFactory
  Stream<DynamicTest> aFaultAtAnyStepLeavesTheModelAsItWas() {
    Map<SurgeryListener.Step, Integer> counts = countSteps();
    System.out.println("fault injection points: " + counts + " and the post-cut forward");
    assertTrue(counts.get(SurgeryListener.Step.CUT) >= 8, counts.toString());
    assertTrue(counts.get(SurgeryListener.Step.OPTION) >= 4, counts.toString());
    assertTrue(counts.get(SurgeryListener.Step.REWRITE) >= 3, counts.toString());
    List<Fault> faults = new ArrayList<>();
    counts.forEach(
        (step, n) -> {
          for (int k = 0; k < n; k++) {
            faults.add(new Fault(step, k));
          }
        });
    faults.add(new Fault(null, -1));
    return faults.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> check(f)));
  }

  /** Counts each kind of change with a listener, then fails the forward to roll back. */
  private static Map<SurgeryListener.Step, Integer> countSteps() {
    Map<SurgeryListener.Step, Integer> counts = new EnumMap<>(SurgeryListener.Step.class);
    for (SurgeryListener.Step s : SurgeryListener.Step.values()) {
      counts.put(s, 0);
    }
    torch.manual_seed(5);
    Tiny model = new Tiny();
    Tensor x = torch.randn(2, 6, 16);
    AtomicBoolean cut = new AtomicBoolean();
    Pruner pruner =
        builder(model, x, cut)
            .surgeryListener((step, index, what) -> counts.merge(step, 1, Integer::sum))
            .build();
    cut.set(true);
    assertThrows(PruneFailedException.class, pruner::step);
    return counts;
  }

  private static PrunerBuilder builder(Tiny model, Tensor x, AtomicBoolean failForward) {
    return Pruner.builder(model)
        .forward(
            () -> {
              if (failForward.get()
                  && model.attn.toString() != null
                  && ZooPruning.shape(ModelTensors.of(model).get("in.weight"))[0] < 32) {
                throw new IllegalStateException("injected: forward after the cut");
              }
              return model.forward(x);
            })
        .importance(Importances.magnitude(2))
        .ratio(0.25)
        .headRatio(0.5);
  }

  private static void check(Fault fault) {
    torch.manual_seed(5);
    Tiny model = new Tiny();
    Tensor x = torch.randn(2, 6, 16);
    Tensor before = run(model, x);
    String digest = ModelDigest.of(model);
    Map<String, Long> storage = storage(model);
    AtomicBoolean failForward = new AtomicBoolean();
    Pruner pruner =
        builder(model, x, failForward)
            .surgeryListener(
                (step, index, what) -> {
                  if (step == fault.step() && index == fault.index()) {
                    throw new IllegalStateException(
                        "injected at " + step + " #" + index + " (" + what + ")");
                  }
                })
            .build();
    failForward.set(fault.postCutForward());
    PruneFailedException e = assertThrows(PruneFailedException.class, pruner::step);
    assertTrue(e.getMessage().contains("injected"), e.getMessage());
    assertEquals(digest, ModelDigest.of(model), "tensors after " + fault);
    // undo keeps the old tensors by reference: the very storage is put back, not a copy of it
    assertEquals(storage, storage(model), "storage after " + fault);
    assertEquals(32, model.in.options().out_features().get(), "in.out_features");
    assertEquals(32, model.out.options().in_features().get(), "out.in_features");
    assertEquals(32, model.norm.options().normalized_shape().get()[0], "normalized_shape");
    assertTrue(torch.equal(before, run(model, x)), "output after " + fault);
    assertEquals(0, pruner.history().size());
    // the rolled-back pruner still prunes, for real
    failForward.set(false);
    pruner = builder(model, x, failForward).build();
    pruner.step();
    assertTrue(model.in.options().out_features().get() < 32);
  }

  /** Each tensor's data address. */
  private static Map<String, Long> storage(Module model) {
    Map<String, Long> out = new TreeMap<>();
    ModelTensors.of(model).forEach((name, t) -> out.put(name, t.data_ptr().address()));
    return out;
  }

  private static Tensor run(Module model, Tensor x) {
    try (NoGradGuard g = new NoGradGuard()) {
      return ((Tiny) model).forward(x).clone();
    }
  }
}
