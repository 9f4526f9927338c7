package io.jprune.testmodels.lateapp;

import io.jprune.agent.JPruneAgent;
import io.jprune.testmodels.late.LateNet;
import io.jprune.testmodels.late.LateZoo;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Run by {@code LateLoadingPremainIT} in a child JVM started with {@code
 * -javaagent:jprune-agent.jar=packages=io.jprune.testmodels.late}: every model class is loaded
 * after the agent, the zoo's way (roots loaded by verifying the factory, submodules by linking the
 * roots, switch tables and helpers while forward runs). Prints what was instrumented.
 */
public final class LateApp {
  private LateApp() {}

  public static void main(String[] args) {
    torch.manual_seed(3);
    Module early = LateZoo.early();
    LateZoo.forward(early, torch.randn(2, 8));
    System.out.println("calls " + traceLate());
    JPruneAgent.instrumentedClasses()
        .forEach((name, sites) -> System.out.println("instrumented " + name + " " + sites));
    System.out.println("failures " + JPruneAgent.failures());
  }

  static int traceLate() {
    LateNet net = (LateNet) LateZoo.late();
    Tensor x = torch.randn(2, 8);
    Trace trace = Tracer.trace(net, () -> net.forward(x));
    return trace.calls().size();
  }
}
