package io.jprune.testmodels.e2e;

import com.sun.tools.attach.VirtualMachine;
import io.jprune.agent.AgentConfig;
import io.jprune.agent.JPruneAgent;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A user application run in a child JVM by {@code AgentJarIT}, with the shaded agent jar brought in
 * one of three ways. It is itself in the instrumented package, so the root forward it calls is a
 * traced call and {@code trace=} records the whole model.
 *
 * <p>Arguments: {@code premain|agentmain|selfattach AGENT_JAR AGENT_ARGS}.
 */
public final class E2eApp {
  private E2eApp() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    switch (mode) {
      case "premain" -> {} // -javaagent did it before main
      case "agentmain" -> {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
        try {
          vm.loadAgent(args[1], args[2]);
        } finally {
          vm.detach();
        }
      }
      case "selfattach" -> JPruneAgent.selfAttach(AgentConfig.parse(args[2]));
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    // A separate method: main's own frame keeps the code it started with when retransformed.
    System.out.println("result " + runModel());
  }

  static long runModel() {
    torch.manual_seed(1);
    TinyNet net = new TinyNet();
    Tensor x = torch.ones(4, 4);
    Tensor y = net.forward(x);
    net.forward(x); // only the first root forward is recorded
    return y.size(0);
  }
}
