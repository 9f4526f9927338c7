package io.jprune.pruner.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.cut.ParamCut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.LBFGS;
import org.bytedeco.pytorch.LBFGSOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training state cut with the parameters: one Linear(4, 6) whose output rows 1 and 4 are removed
 * (weight [6, 4] -> [4, 4], bias [6] -> [4]) after two optimizer steps.
 */
class TrainingStateTest {
  private static final long[] REMOVED = {1, 4};
  private static final long[] KEPT = {0, 2, 3, 5};

  @TempDir Path tmp;

  @BeforeAll
  static void natives() {
    Libtorch.load();
  }

  private static LinearImpl layer() {
    torch.manual_seed(11);
    return new LinearImpl(4, 6);
  }

  private static Tensor input() {
    torch.manual_seed(12);
    return torch.randn(5, 4);
  }

  private static void trainStep(LinearImpl l, Optimizer opt) {
    opt.zero_grad();
    Tensor loss = l.forward(input()).square().mean();
    loss.backward();
    opt.step();
  }

  /** Cuts the layer's parameters as Surgery does and returns the cuts. */
  private static List<ParamCut> prune(Map<String, Tensor> tensors) {
    ParamCut w =
        new ParamCut(
            "weight",
            ImmutableLongArray.of(6, 4),
            ImmutableMap.of(0, ImmutableLongArray.copyOf(REMOVED)),
            ImmutableMap.of());
    ParamCut b =
        new ParamCut(
            "bias",
            ImmutableLongArray.of(6),
            ImmutableMap.of(0, ImmutableLongArray.copyOf(REMOVED)),
            ImmutableMap.of());
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut c : List.of(w, b)) {
        Tensor t = tensors.get(c.param());
        t.set_data(Surgery.cut(t, c));
      }
    }
    return List.of(w, b);
  }

  private static Tensor kept(Tensor t) {
    return t.index_select(0, IndexTensor.of(KEPT, t.device()));
  }

  /** The optimizer's per-parameter state entry {@code name} of {@code param}, read back. */
  private Tensor state(Optimizer opt, Tensor param, String name) throws Exception {
    IValue value = entry(opt, param, name);
    // toTensor() is @ByRef: a view into the IValue, freed with it once the IValue is collected
    // (a crash in clone() under gc-stress). An owning Tensor shares the storage and outlives it.
    Tensor owned = new Tensor(value.toTensor());
    java.lang.ref.Reference.reachabilityFence(value);
    return owned;
  }

  /** One value of the optimizer's state for {@code param}, through the optimizer's archive. */
  private IValue entry(Optimizer opt, Tensor param, String name) throws Exception {
    Path file = Files.createTempFile(tmp, "opt", ".pt");
    OutputArchive out = new OutputArchive();
    opt.save(out);
    out.save_to(file.toString());
    InputArchive in = new InputArchive();
    in.load_from(file.toString());
    InputArchive state = new InputArchive();
    in.read("state", state);
    InputArchive entry = new InputArchive();
    String key = Long.toUnsignedString(param.unsafeGetTensorImpl().address());
    assertTrue(state.try_read(key, entry), "no state for " + key);
    IValue v = new IValue();
    entry.read(name, v);
    return v;
  }

  private static Map<String, Tensor> tensors(LinearImpl l) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("weight", l.weight());
    m.put("bias", l.bias());
    return m;
  }

  @Test
  void sgdMomentumAndGradsAreCutAndTheNextStepIsTheCutOne() throws Exception {
    LinearImpl l = layer();
    SGDOptions o = new SGDOptions(0.1);
    o.momentum().put(0.9);
    SGD opt = new SGD(l.parameters(), o);
    trainStep(l, opt);
    trainStep(l, opt);
    Tensor loss = l.forward(input()).square().mean(); // a graph still alive across the cut
    loss.backward();
    Map<String, Tensor> tensors = tensors(l);
    Tensor bufBefore = state(opt, l.weight(), "momentum_buffer").clone();
    Tensor gradBefore = l.weight().grad().clone();

    TrainingState.cut(tensors, prune(tensors), List.of(opt));

    assertTrue(state(opt, l.weight(), "momentum_buffer").equal(kept(bufBefore)));
    assertArrayEquals(new long[] {4}, state(opt, l.bias(), "momentum_buffer").sizes().vec().get());
    assertTrue(l.weight().grad().equal(kept(gradBefore)));
    // the next step is SGD's on the kept rows: buf = 0.9 buf + grad, w -= 0.1 buf
    Tensor w0 = l.weight().detach().clone();
    opt.zero_grad();
    l.forward(input()).square().mean().backward(); // no stale grad accumulator
    Tensor grad = l.weight().grad().clone();
    opt.step();
    Tensor expected = w0.sub(kept(bufBefore).mul(new Scalar(0.9)).add(grad).mul(new Scalar(0.1)));
    assertTrue(
        l.weight().allclose(expected, 1e-6, 1e-7, false),
        "weight after the step differs from SGD on the cut momentum");
  }

  @Test
  void adamMomentsAreCutAndItsStepCountKept() throws Exception {
    LinearImpl l = layer();
    AdamOptions o = new AdamOptions(1e-2);
    o.amsgrad().put(true);
    Adam opt = new Adam(l.parameters(), o);
    trainStep(l, opt);
    trainStep(l, opt);
    Map<String, Tensor> tensors = tensors(l);
    Map<String, Tensor> before = new LinkedHashMap<>();
    for (String name : List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq")) {
      before.put(name, state(opt, l.weight(), name).clone());
    }

    TrainingState.cut(tensors, prune(tensors), List.of(opt));

    for (Map.Entry<String, Tensor> e : before.entrySet()) {
      assertTrue(state(opt, l.weight(), e.getKey()).equal(kept(e.getValue())), e.getKey());
    }
    trainStep(l, opt);
    assertEquals(3, entry(opt, l.weight(), "step").toInt());
  }

  @Test
  void lbfgsIsRefusedBeforeAnyCut() {
    LinearImpl l = layer();
    LBFGS opt = new LBFGS(l.parameters(), new LBFGSOptions(1));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TrainingState.checkSupported(List.of(opt)));
    assertEquals(
        "jprune cannot cut the state of the application's LBFGS optimizer (flat vectors"
            + " over all parameters); nothing was pruned",
        e.getMessage());
  }

  /**
   * A graph of the previous step still alive holds the parameters' grad accumulators with the old
   * shapes; the cut must drop them, for float and double parameters alike (the dtype detour goes to
   * the other dtype).
   */
  @ParameterizedTest
  @ValueSource(strings = {"Float", "Double"})
  void aLiveGraphsGradAccumulatorIsDroppedSoTheNextBackwardWorks(String dtype) {
    torch.ScalarType type = torch.ScalarType.valueOf(dtype);
    LinearImpl l = layer();
    l.to(type, false);
    Tensor live = l.forward(input().to(type)).sum(); // holds the accumulators, never backwarded
    Map<String, Tensor> tensors = tensors(l);
    List<ParamCut> cuts = prune(tensors);
    TrainingState.cut(tensors, cuts, List.of());
    l.forward(input().to(type)).square().mean().backward();
    assertArrayEquals(new long[] {4, 4}, l.weight().grad().shape());
    assertArrayEquals(new long[] {4}, l.bias().grad().shape());
    assertEquals(type.value, l.weight().scalar_type().value);
    java.lang.ref.Reference.reachabilityFence(live);
  }
}
