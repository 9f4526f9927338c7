package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.testmodels.Block;
import io.jprune.testmodels.Net;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import io.jprune.tracer.site.Sites;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * A model whose classes were loaded and run before the agent existed (this test class has a JVM of
 * its own, see the Surefire configuration) is retransformed at self-attach, traced, and computes
 * bit for bit what it computed before. Functional objects made from method references before the
 * attach keep calling their target directly: only those made afterwards are traced.
 */
class PreAttachTest {
  @Test
  void classesLoadedBeforeSelfAttachAreRetransformedAndTraced() {
    assertFalse(JPruneAgent.isAttached(), "this test needs a JVM without the agent");
    assertEquals(
        "the jprune agent is not attached: call JPruneAgent.selfAttach(config) or start"
            + " the JVM with -javaagent",
        assertThrows(IllegalStateException.class, JPruneAgent::config).getMessage());
    Libtorch.load();
    torch.manual_seed(11);
    Net net = new Net();
    Tensor x = torch.randn(2, 8);
    Tensor before = net.forward(x);
    assertTrue(Sites.all().isEmpty());

    JPruneAgent.selfAttach(AgentConfig.defaults());

    assertTrue(
        JPruneAgent.instrumentedClasses()
            .keySet()
            .containsAll(
                java.util.List.of(
                    Net.class.getName(), Net.class.getName() + "$1", Block.class.getName())),
        JPruneAgent.instrumentedClasses().toString());
    Tensor idle = net.forward(x);
    Tensor[] traced = new Tensor[1];
    Trace trace = Tracer.trace(net, () -> traced[0] = net.forward(x));
    Tensor after = net.forward(x);

    // Tensor::relu was turned into an object by the original LambdaMetafactory when this Net
    // was constructed, before the attach: that object calls relu directly, untraced.
    assertEquals(18, trace.calls().size(), trace.describe());
    assertEquals("block.proj", trace.call(2).modulePath());
    assertEquals("add", trace.call(5).op());
    assertEquals("sigmoid", trace.call(6).op(), "the anonymous class was retransformed too");
    assertTrue(torch.equal(before, idle), "instrumented, idle");
    assertTrue(torch.equal(before, traced[0]), "tracing");
    assertTrue(torch.equal(before, after), "after tracing");

    torch.manual_seed(11);
    Net fresh = new Net();
    Tensor[] freshOut = new Tensor[1];
    Trace full = Tracer.trace(fresh, () -> freshOut[0] = fresh.forward(x));
    assertEquals(19, full.calls().size(), full.describe());
    assertEquals("relu", full.call(5).op(), "a Net built after the attach traces Tensor::relu");
    assertTrue(torch.equal(before, freshOut[0]), "same seed, same weights, same output");
  }
}
