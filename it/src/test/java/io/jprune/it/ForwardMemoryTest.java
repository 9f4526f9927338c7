package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.report.Latency;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * Memory (issue 10): the forwards jprune runs itself free their intermediates when they return,
 * except the model's first call (the first trace), whose state a model may keep. Each forward's
 * hidden tensor is recorded by the model; a freed one has a null address.
 */
class ForwardMemoryTest {

  /** Two linears; keeps the hidden tensor of every forward, as a model caching state would. */
  public static final class Recorder extends Module {
    private final LinearImpl fc1 = register_module("fc1", new LinearImpl(8, 16));
    private final LinearImpl fc2 = register_module("fc2", new LinearImpl(16, 4));
    final List<Tensor> hidden = new ArrayList<>();

    public Tensor forward(Tensor x) {
      Tensor h = fc1.forward(x).relu();
      hidden.add(h);
      return fc2.forward(h);
    }
  }

  /** Indices of the recorded hidden tensors that are still allocated. */
  private static List<Integer> live(Recorder model) {
    return IntStream.range(0, model.hidden.size())
        .filter(i -> !model.hidden.get(i).isNull())
        .boxed()
        .toList();
  }

  @Test
  void onlyTheFirstTraceOutlivesItsForward() {
    torch.manual_seed(3);
    Recorder model = new Recorder();
    Tensor x = torch.randn(5, 8);
    Pruner pruner =
        Pruner.builder(model)
            .exampleInput(x)
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .ignore("fc2")
            .build();
    assertEquals(List.of(0), live(model), "the first trace's hidden tensor is the model's");

    VerifiedStep step = pruner.stepAndVerify();
    assertTrue(step.passes(1e-5), step.summary(1e-5));
    int afterStep = model.hidden.size();
    assertTrue(afterStep >= 3, "masked original and pruned forward ran: " + afterStep);
    assertEquals(8, pruner.graph().groups().get(0).size(), "re-traced: 16 -> 8 channels");
    assertEquals(afterStep + 1, model.hidden.size(), "the re-trace ran one forward");
    assertEquals(List.of(0), live(model), "every later forward's hidden tensor was freed");
    assertEquals(
        List.of(5L, 4L), List.of(model.forward(x).size(0), model.forward(x).size(1)), "runs on");
  }

  @Test
  void warmLatencyFreesEveryRunAndPlainLatencyKeepsTheFirstWarmUp() {
    Recorder warm = new Recorder();
    Tensor x = torch.randn(5, 8);
    Latency.measureWarm(() -> warm.forward(x), 2, 3);
    assertEquals(5, warm.hidden.size());
    assertEquals(List.of(), live(warm), "measureWarm: every run frees its temporaries");

    Recorder cold = new Recorder();
    Latency.measure(() -> cold.forward(x), 2, 3);
    assertEquals(5, cold.hidden.size());
    assertEquals(List.of(0), live(cold), "measure: the first warm-up is the model's first call");
  }
}
