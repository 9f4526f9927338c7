package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSet;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.module.CallCost;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleChange;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.BilinearImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * A user describes a libtorch module jprune does not know (BilinearImpl) with a {@link ModuleKind}
 * registered on one pruner: its channels prune exactly, its options and MACs follow, and other
 * pruners (without the registration) still refuse it.
 */
class ModuleKindRegistrationTest {
  /** {@code y = x1^T A x2 + b} with A = weight [out, in1, in2]. */
  static final class BilinearKind implements ModuleKind {
    @Override
    public ImmutableSet<String> types() {
      return ImmutableSet.of("BilinearImpl");
    }

    @Override
    public void label(TracedCall call, ModuleLabels labels) {
      TensorRef x1 = call.tensorInputs().get(0);
      TensorRef x2 = call.tensorInputs().get(1);
      String weight = ModuleLabels.param(call, "weight");
      int[] a1 = labels.channelAtoms(x1, x1.rank() - 1);
      int[] a2 = labels.channelAtoms(x2, x2.rank() - 1);
      for (int i = 0; i < a1.length; i++) {
        labels.bindInput(weight, 1, i, a1[i]);
      }
      for (int j = 0; j < a2.length; j++) {
        labels.bindInput(weight, 2, j, a2[j]);
      }
      TensorRef out = call.outputTensor();
      int[] outAtoms = labels.freshAtoms((int) out.size(-1));
      labels.bindProducer(weight, 0, ModuleLabels.param(call, "bias"), outAtoms);
      labels.setChannels(out, out.rank() - 1, outAtoms);
    }

    @Override
    public Map<String, long[]> options(ModuleChange change) {
      long[] w = change.shapeAfter("weight");
      Map<String, long[]> out = new LinkedHashMap<>();
      out.put("in1_features", new long[] {w[1]});
      out.put("in2_features", new long[] {w[2]});
      out.put("out_features", new long[] {w[0]});
      return out;
    }

    @Override
    public long macs(TracedCall call, CallCost cost) {
      long[] w = cost.paramShape(ModuleLabels.param(call, "weight"));
      return cost.kept(call.outputTensor()) * w[1] * w[2];
    }
  }

  /** Linear -> Bilinear(h, h) -> ReLU -> Linear. */
  public static final class BilinearNet extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final BilinearImpl bil = register_module("bil", new BilinearImpl(16, 16, 12));
    private final LinearImpl out = register_module("out", new LinearImpl(12, 4));

    public Tensor forward(Tensor x) {
      Tensor h = in.forward(x);
      return out.forward(bil.forward(h, h).relu());
    }
  }

  @Test
  void anUnknownModuleIsRefusedWithoutItsKind() {
    torch.manual_seed(3);
    BilinearNet model = new BilinearNet();
    Tensor x = torch.randn(5, 8);
    UnsupportedOpException e =
        assertThrows(
            UnsupportedOpException.class,
            () ->
                Pruner.builder(model)
                    .exampleInput(x)
                    .importance(ZooPruning.randomScores(1))
                    .build());
    assertTrue(
        e.getMessage().startsWith("unsupported op BilinearImpl.forward (bil) at "), e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith(
                ": no channel rule is known for it; jprune refuses rather "
                    + "than guessing (describe it with a ModuleKind registered on the Pruner builder)"),
        e.getMessage());
  }

  @Test
  void aRegisteredKindPrunesItsChannelsExactly() {
    torch.manual_seed(3);
    BilinearNet model = new BilinearNet();
    Tensor x = torch.randn(5, 8);
    Pruner pruner =
        Pruner.builder(model)
            .exampleInput(x)
            .importance(ZooPruning.randomScores(1))
            .moduleKind(new BilinearKind())
            .build();
    ModelCost before = ModelCost.of(pruner.graph().trace(), pruner.graph().catalog());
    assertEquals(5L * 12 * 16 * 16, before.layer("bil").orElseThrow().macs());
    PruningGroup hidden = pruner.graph().groupOf("in");
    PruningGroup mixed = pruner.graph().groupOf("bil");
    assertEquals(16, hidden.size());
    assertEquals(12, mixed.size());
    EquivalenceReport report =
        pruner.pruneAndVerify(
            Removal.builder().put(hidden.id(), 1, 4, 7, 9).put(mixed.id(), 0, 11).build());
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {10, 12, 12}, ZooPruning.shape(p.get("bil.weight")));
    assertArrayEquals(new long[] {4, 10}, ZooPruning.shape(p.get("out.weight")));
    assertEquals(12, model.bil.options().in1_features().get());
    assertEquals(12, model.bil.options().in2_features().get());
    assertEquals(10, model.bil.options().out_features().get());
    ModelCost after = ModelCost.of(pruner.graph().trace(), pruner.graph().catalog());
    assertEquals(5L * 10 * 12 * 12, after.layer("bil").orElseThrow().macs());
    assertArrayEquals(new long[] {5, 4}, ZooPruning.shape(model.forward(x)));
  }

  @Test
  void registrationIsPerCatalogNotGlobal() {
    ModuleCatalog mine = ModuleCatalog.builtins().with(new BilinearKind());
    assertTrue(mine.find("BilinearImpl").isPresent());
    assertTrue(ModuleCatalog.builtins().find("BilinearImpl").isEmpty());
    assertTrue(ModuleCatalog.builtins().find("Conv2dImpl").isPresent());
  }
}
