package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.testmodels.BaseBlock;
import io.jprune.testmodels.Block;
import io.jprune.testmodels.DerivedBlock;
import io.jprune.testmodels.EchoBlock;
import io.jprune.testmodels.Net;
import io.jprune.testmodels.ScaledLinear;
import io.jprune.testmodels.UsesHelper;
import io.jprune.testmodels.functional.Functional;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Tracer;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.CallSiteInfo;
import io.jprune.tracer.site.ModelRewrites;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Self-attached agent, model classes loaded after the attach: every kind of site is recorded with
 * the right op, arguments, module path and line, and the model computes exactly what it did.
 */
class CallSiteTracingTest {
  private static final MarkedLines NET = MarkedLines.of(Net.class);

  @BeforeAll
  static void attach() {
    Libtorch.load();
    JPruneAgent.selfAttach(AgentConfig.defaults());
  }

  @AfterEach
  void nothingLeftRecording() {
    assertFalse(Sites.intercepting(), "a test left a session recording");
  }

  private static Net newNet() {
    torch.manual_seed(7);
    return new Net();
  }

  @Test
  void recordsEveryKindOfCallSiteInOrder() {
    Net net = newNet();
    Tensor x = torch.randn(2, 8);
    Trace trace = Tracer.trace(net, () -> net.forward(x));

    List<String> ops =
        trace.calls().stream()
            .map(c -> (c.isModuleCall() ? c.modulePath() + "." : "") + c.op())
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "fc.forward",
            "block.forward",
            "block.proj.forward",
            "tanh",
            "add",
            "relu", // method reference Tensor::relu
            "add", // lambda t -> t.add(t)
            "sigmoid", // anonymous UnaryOperator
            "derived.forward",
            "mul", // inherited forward
            "scaled.forward",
            "mul", // super.forward(x) is not a separate call
            "typed.forward",
            "relu", // generic forward: the bridge adds no second call
            "size",
            "reshape",
            "reshape",
            "tanh",
            "mul"),
        ops,
        trace.describe());
  }

  @Test
  void recordsKindsLinesAndClassesOfTheSites() {
    Net net = newNet();
    Tensor x = torch.randn(2, 8);
    Trace trace = Tracer.trace(net, () -> net.forward(x));
    List<TracedCall> c = trace.calls();
    MarkedLines block = MarkedLines.of(Block.class);
    MarkedLines base = MarkedLines.of(BaseBlock.class);

    assertSite(c.get(0), SiteKind.MODULE_FORWARD, Net.class, "forward", NET.line("fc"));
    assertSite(c.get(1), SiteKind.MODULE_FORWARD, Net.class, "forward", NET.line("block"));
    assertSite(c.get(2), SiteKind.MODULE_FORWARD, Block.class, "forward", block.line("blockbody"));
    assertSite(c.get(3), SiteKind.TORCH_STATIC, Block.class, "forward", block.line("blockbody"));
    assertSite(c.get(4), SiteKind.TENSOR_METHOD, Block.class, "forward", block.line("blockbody"));
    // The method reference's site is where Tensor::relu is written (a field initializer).
    assertSite(c.get(5), SiteKind.TENSOR_METHOD, Net.class, "<init>", NET.line("methodref"));
    assertTrue(c.get(6).site().key().methodName().startsWith("lambda$"), c.get(6).toString());
    assertEquals(NET.line("lambda"), c.get(6).site().line());
    assertSite(c.get(7), SiteKind.TORCH_STATIC, Net.class, "apply", NET.line("anonymous"));
    assertEquals(Net.class.getName() + "$1", c.get(7).site().key().className());
    assertSite(
        c.get(9), SiteKind.TENSOR_METHOD, BaseBlock.class, "forward", base.line("inherited"));
    assertSite(
        c.get(11),
        SiteKind.TENSOR_METHOD,
        ScaledLinear.class,
        "forward",
        MarkedLines.of(ScaledLinear.class).line("super"));
    assertSite(
        c.get(13),
        SiteKind.TENSOR_METHOD,
        EchoBlock.class,
        "forward",
        MarkedLines.of(EchoBlock.class).line("echo"));
    assertEquals(NET.line("reshape1"), c.get(15).site().line());
    // One line, three sites: ordinals keep them apart.
    assertEquals(NET.line("reshape2"), c.get(16).site().line());
    assertEquals(NET.line("reshape2"), c.get(17).site().line());
    assertEquals(NET.line("reshape2"), c.get(18).site().line());
    assertEquals(
        List.of(c.get(15).site().key().ordinal() + 1, c.get(17).site().key().ordinal() - 1),
        List.of(c.get(16).site().key().ordinal(), c.get(16).site().key().ordinal()));
    for (TracedCall call : c) {
      assertEquals(
          call.site().key().className().replaceAll("\\$.*", "").replaceAll(".*\\.", "") + ".java",
          call.site().sourceFile(),
          call.toString());
      assertTrue(call.site().line() > 0, call.toString());
    }
  }

  private static void assertSite(
      TracedCall call, SiteKind kind, Class<?> in, String method, int line) {
    CallSiteInfo site = call.site();
    assertEquals(kind, site.kind(), call.toString());
    assertEquals(
        in.getName().replaceAll("\\$.*", ""),
        site.key().className().replaceAll("\\$.*", ""),
        call.toString());
    assertEquals(method, site.key().methodName(), call.toString());
    assertEquals(line, site.line(), call.toString());
  }

  @Test
  void recordsArgumentsModulePathsAndNesting() {
    Net net = newNet();
    Tensor x = torch.randn(2, 8);
    Trace trace = Tracer.trace(net, () -> net.forward(x));
    List<TracedCall> c = trace.calls();

    assertEquals("fc", c.get(0).modulePath());
    assertTrue(c.get(0).isBuiltinModuleCall());
    assertEquals(ImmutableLongArray.of(2, 8), c.get(0).outputTensor().shape());
    assertEquals("block", c.get(1).modulePath());
    assertEquals(Block.class.getName(), c.get(1).moduleType());
    assertEquals(1, c.get(2).parent());
    assertEquals("block.proj", c.get(2).modulePath());
    assertEquals(1, c.get(4).parent());
    assertEquals(-1, c.get(5).parent());
    assertEquals(DerivedBlock.class.getName(), c.get(8).moduleType());
    assertEquals(8, c.get(9).parent());
    assertEquals(ScaledLinear.class.getName(), c.get(10).moduleType());
    assertEquals(List.of(c.get(11)), trace.children(10), "super.forward must not be a call");
    assertEquals(List.of(c.get(13)), trace.children(12), "the bridge must not be a call");

    // Arguments: the lambda's t.add(t) reads the same tensor twice; size(0); varargs reshape.
    assertEquals(c.get(6).tensorInputs().get(0), c.get(6).tensorInputs().get(1));
    assertEquals(List.of(new Value.LongValue(0)), c.get(14).args());
    assertEquals(new Value.LongValue(2), c.get(14).result());
    assertEquals(
        List.of(new Value.LongArrayValue(ImmutableLongArray.of(2, 2, -1))), c.get(15).args());
    assertEquals(ImmutableLongArray.of(2, 2, 4), c.get(15).outputTensor().shape());
    assertEquals(List.of(new Value.LongArrayValue(ImmutableLongArray.of(2, -1))), c.get(16).args());
    assertEquals(c.get(15).outputTensor(), c.get(16).tensorInputs().get(0));
    assertEquals(null, c.get(17).receiver(), "torch.tanh is static");
  }

  @Test
  void outputsAreBitIdenticalWithTracingOnAndOff() {
    Net net = newNet();
    Tensor x = torch.randn(2, 8);
    Tensor off = net.forward(x);
    Tensor[] on = new Tensor[1];
    Tracer.trace(net, () -> on[0] = net.forward(x));
    Tensor offAgain = net.forward(x);
    assertTrue(torch.equal(off, on[0]));
    assertTrue(torch.equal(off, offAgain));
  }

  /** The first reshape of {@link Net#forward}. */
  private static CallSiteInfo firstReshape() {
    return Sites.all().stream()
        .filter(
            s ->
                s.key().className().equals(Net.class.getName())
                    && s.targetName().equals("reshape")
                    && s.line() == NET.line("reshape1"))
        .findFirst()
        .orElseThrow();
  }

  /** Rewrites bound to {@code net} alone (not its submodules), held weakly. */
  private static ModelRewrites rewritesOfNetOnly(Net net) {
    WeakReference<Net> ref = new WeakReference<>(net);
    return Sites.rewritesFor(net, m -> m == ref.get());
  }

  @Test
  void rewriteChangesOneReshapeSiteOfOneInstanceOnly() {
    Net net = newNet();
    Net other = newNet();
    Tensor x = torch.randn(2, 8);
    Tensor expected = net.forward(x);
    CallSiteInfo first = firstReshape();
    ModelRewrites rewrites = rewritesOfNetOnly(net);
    rewrites.put(first.key(), args -> new Object[] {args[0], new long[] {2, 4, -1}});
    try {
      Tensor idle = net.forward(x);
      Trace trace = Tracer.trace(net, () -> net.forward(x));
      List<TracedCall> reshapes = trace.callsTo("reshape");
      assertEquals(
          ImmutableLongArray.of(2, 4, 2),
          reshapes.get(0).outputTensor().shape(),
          "rewritten after the forwards of the submodules (block, derived, ...) returned");
      assertEquals(
          List.of(new Value.LongArrayValue(ImmutableLongArray.of(2, 4, -1))),
          reshapes.get(0).args());
      assertEquals(
          List.of(new Value.LongArrayValue(ImmutableLongArray.of(2, -1))),
          reshapes.get(1).args(),
          "the other reshape site must keep its arguments");
      // The second reshape flattens again, so the model's output is unchanged.
      assertTrue(torch.equal(expected, idle));
      Trace ofOther = Tracer.trace(other, () -> other.forward(x));
      assertEquals(
          ImmutableLongArray.of(2, 2, 4),
          ofOther.callsTo("reshape").get(0).outputTensor().shape(),
          "another instance of the class runs through the same site unchanged");
    } finally {
      rewrites.remove(first.key());
    }
    Trace trace = Tracer.trace(net, () -> net.forward(x));
    assertEquals(
        ImmutableLongArray.of(2, 2, 4), trace.callsTo("reshape").get(0).outputTensor().shape());
    assertFalse(Sites.rewritten(first.key()));
  }

  @Test
  void aModelsRewritesAreReleasedWhenItIsCollected() throws InterruptedException {
    CallSiteInfo first = firstReshape();
    int before = Sites.modelsWithRewrites();
    Net net = newNet();
    ModelRewrites rewrites = rewritesOfNetOnly(net);
    rewrites.put(first.key(), args -> new Object[] {args[0], new long[] {2, 4, -1}});
    assertEquals(before + 1, Sites.modelsWithRewrites());
    assertTrue(Sites.rewritten(first.key()));
    WeakReference<Net> collected = new WeakReference<>(net);
    net = null;
    for (int i = 0; i < 200 && !rewrites.released(); i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertTrue(collected.get() == null && rewrites.released(), "the model was collected");
    assertEquals(before, Sites.modelsWithRewrites());
    assertFalse(Sites.rewritten(first.key()), "the site is idle again");
  }

  @Test
  void helpersInOtherPackagesAreTracedByDefault() {
    torch.manual_seed(3);
    UsesHelper model = new UsesHelper();
    Tensor x = torch.randn(3, 4);
    Tensor before = model.forward(x);
    Tensor[] traced = new Tensor[1];
    Trace full = Tracer.trace(model, () -> traced[0] = model.forward(x));
    assertEquals(List.of("forward", "sigmoid", "mul"), ops(full));
    assertEquals(MarkedLines.of(Functional.class).line("swish"), full.call(1).site().line());
    assertEquals(2, JPruneAgent.instrumentedClasses().get(Functional.class.getName()));
    assertTrue(torch.equal(before, traced[0]));
  }

  @Test
  void attachingAgainWithTheSameConfigChangesNothing() {
    newNet();
    int sites = Sites.all().size();
    var classes = JPruneAgent.instrumentedClasses();
    JPruneAgent.selfAttach(AgentConfig.defaults());
    assertEquals(sites, Sites.all().size());
    assertEquals(classes, JPruneAgent.instrumentedClasses());
    assertTrue(JPruneAgent.failures().isEmpty(), JPruneAgent.failures().toString());
  }

  @Test
  void everyClassThatCallsLibtorchIsInstrumentedAndNothingElse() {
    newNet();
    new UsesHelper().forward(torch.randn(3, 4)); // loads its helper, Functional
    var classes = JPruneAgent.instrumentedClasses().keySet();
    assertTrue(
        classes.containsAll(
            List.of(
                Net.class.getName(),
                Net.class.getName() + "$1",
                Block.class.getName(),
                BaseBlock.class.getName(),
                ScaledLinear.class.getName(),
                EchoBlock.class.getName(),
                UsesHelper.class.getName(),
                Functional.class.getName())),
        classes.toString());
    // DerivedBlock only inherits its forward: its class file names nothing of libtorch.
    assertFalse(classes.contains(DerivedBlock.class.getName()), classes.toString());
    assertTrue(
        classes.stream()
            .noneMatch(
                n ->
                    n.startsWith("org.bytedeco.")
                        || n.startsWith("io.jprune.tracer.")
                        || n.startsWith("org.junit.")
                        || n.startsWith("com.google.")
                        || n.equals(getClass().getName())),
        classes.toString());
  }

  private static List<String> ops(Trace trace) {
    return trace.calls().stream().map(TracedCall::op).collect(Collectors.toList());
  }
}
