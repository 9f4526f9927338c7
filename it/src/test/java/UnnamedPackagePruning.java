import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.randn;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.PrunerBuilder;
import io.jprune.pruner.VerifiedStep;
import io.jprune.pruner.importance.Importances;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Prunes {@link ShiftNet} (unnamed package, helpers in another package) as an application does: run
 * by {@code UnnamedPackagePruningTest} (self-attach) and, as {@code main}, by {@code
 * WholeAppAgentIT} in a JVM started with {@code -javaagent} and no package restriction.
 */
public final class UnnamedPackagePruning {
  private UnnamedPackagePruning() {}

  static Tensor input() {
    manual_seed(5);
    return randn(1, 3, 10, 10);
  }

  static ShiftNet model(ShiftNet.Variant variant) {
    manual_seed(3);
    return new ShiftNet(variant);
  }

  /** A pruner for half the channels, tracing through reflection or through a traced lambda. */
  static Pruner pruner(ShiftNet net, Tensor x, boolean exampleInput) {
    PrunerBuilder b = Pruner.builder(net).importance(Importances.magnitude(2)).ratio(0.5);
    return (exampleInput ? b.exampleInput(x) : b.forward(() -> net.forward(x))).build();
  }

  /** {@code conv1 8->4, conv2 4->4, conv3 4->4}: the layers' channels after pruning. */
  static String channels(ShiftNet net) {
    return "conv1 3->"
        + net.conv1.weight().size(0)
        + ", conv2 "
        + net.conv2.weight().size(1)
        + "->"
        + net.conv2.weight().size(0)
        + ", conv3 "
        + net.conv3.weight().size(1)
        + "->"
        + net.conv3.weight().size(0);
  }

  /** Where the traced {@code roll} was called. */
  static String rollSite(Pruner pruner) {
    List<TracedCall> rolls = pruner.graph().trace().callsTo("roll");
    return rolls.size() + " roll at " + rolls.get(0).site().location();
  }

  /**
   * Builds a pruner and takes a step; returns the refusal, as {@code Type: message}, or {@code
   * "pruned"}.
   */
  static String refusal(ShiftNet net, Tensor x) {
    try {
      pruner(net, x, true).step();
      return "pruned";
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** Copies of every parameter, to prove a refusal changed nothing. */
  static List<Tensor> parameters(ShiftNet net) {
    StringTensorDict named = net.named_parameters();
    List<Tensor> out = new ArrayList<>();
    for (long i = 0; i < named.size(); i++) {
      out.add(named.get(i).value().detach().clone());
    }
    return out;
  }

  static boolean sameParameters(List<Tensor> before, ShiftNet net) {
    List<Tensor> after = parameters(net);
    boolean same = before.size() == after.size();
    for (int i = 0; same && i < after.size(); i++) {
      same = torch.equal(before.get(i), after.get(i)); // false for another shape too
    }
    return same;
  }

  public static void main(String[] args) {
    Tensor x = input();
    ShiftNet net = model(ShiftNet.Variant.PLAIN);
    Pruner pruner = pruner(net, x, true);
    VerifiedStep step = pruner.stepAndVerify();
    System.out.println(
        "shift: "
            + channels(net)
            + "; "
            + rollSite(pruner)
            + "; exact "
            + step.passes(1e-5)
            + " ("
            + step.equivalence()
            + ")");
    for (ShiftNet.Variant v : ShiftNet.Variant.values()) {
      if (v != ShiftNet.Variant.PLAIN) {
        ShiftNet refused = model(v);
        List<Tensor> before = parameters(refused);
        String why = refusal(refused, x);
        System.out.println(v + ": " + why + "; unchanged " + sameParameters(before, refused));
      }
    }
  }
}
