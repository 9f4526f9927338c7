package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.testmodels.UsesHelper;
import io.jprune.testmodels.functional.Functional;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Tracer;
import java.util.List;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code packages=} as a restriction (own JVM): Module subclasses, their nested classes and the
 * named packages are instrumented, a helper elsewhere is not until its package is added, and the
 * whole-application default is not brought back by attaching again with no packages.
 */
class PackageRestrictionTest {
  @BeforeAll
  static void attach() {
    Libtorch.load();
    JPruneAgent.selfAttach(AgentConfig.builder().addPackage("io.jprune.testmodels.plain").build());
  }

  @Test
  void addingAPackageLaterInstrumentsItsLoadedClasses() {
    torch.manual_seed(3);
    UsesHelper model = new UsesHelper(); // loads Functional, not yet model code
    Tensor x = torch.randn(3, 4);
    Tensor before = model.forward(x);
    Trace plain = Tracer.trace(model, () -> model.forward(x));
    assertEquals(List.of("forward"), ops(plain));
    assertFalse(JPruneAgent.instrumentedClasses().containsKey(Functional.class.getName()));

    AgentConfig more = AgentConfig.builder().addPackageOf(Functional.class).build();
    JPruneAgent.selfAttach(more);
    JPruneAgent.selfAttach(more); // idempotent

    assertEquals(2, JPruneAgent.instrumentedClasses().get(Functional.class.getName()));
    assertTrue(JPruneAgent.config().packages().contains(Functional.class.getPackageName()));
    Tensor[] traced = new Tensor[1];
    Trace full = Tracer.trace(model, () -> traced[0] = model.forward(x));
    assertEquals(List.of("forward", "sigmoid", "mul"), ops(full));
    assertEquals(MarkedLines.of(Functional.class).line("swish"), full.call(1).site().line());
    assertTrue(torch.equal(before, traced[0]));
    assertTrue(torch.equal(before, model.forward(x)));
  }

  @Test
  void attachingWithNoPackagesKeepsTheRestriction() {
    JPruneAgent.selfAttach(AgentConfig.defaults());
    assertTrue(
        JPruneAgent.config().packages().contains("io.jprune.testmodels.plain"),
        JPruneAgent.config().toString());
  }

  private static List<String> ops(Trace trace) {
    return trace.calls().stream().map(TracedCall::op).collect(Collectors.toList());
  }
}
