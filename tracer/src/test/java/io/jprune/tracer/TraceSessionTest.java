package io.jprune.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.export.TraceDot;
import io.jprune.tracer.export.TraceJson;
import io.jprune.tracer.site.ModelRewrites;
import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The trace session over hand-linked sites: identity, values, scopes, failures, export. */
class TraceSessionTest {
  private static MethodHandle reshape;
  private static MethodHandle relu_;
  private static MethodHandle add;
  private static MethodHandle unbind;
  private static MethodHandle pixelShuffle;
  private static MethodHandle seqForward;
  private static MethodHandle linearForward;
  private static MethodHandle maxAlongDim;

  @BeforeAll
  static void link() throws Exception {
    io.jprune.nativeconfig.Libtorch.load();
    reshape =
        ManualSites.virtual(
            Tensor.class,
            "reshape",
            MethodType.methodType(Tensor.class, long[].class),
            SiteKind.TENSOR_METHOD,
            10);
    relu_ =
        ManualSites.virtual(
            Tensor.class, "relu_", MethodType.methodType(Tensor.class), SiteKind.TENSOR_METHOD, 11);
    add =
        ManualSites.virtual(
            Tensor.class,
            "add",
            MethodType.methodType(Tensor.class, Tensor.class),
            SiteKind.TENSOR_METHOD,
            12);
    unbind =
        ManualSites.virtual(
            Tensor.class,
            "unbind",
            MethodType.methodType(TensorVector.class, long.class),
            SiteKind.TENSOR_METHOD,
            13);
    pixelShuffle =
        ManualSites.statik(
            torch.class,
            "pixel_shuffle",
            MethodType.methodType(Tensor.class, Tensor.class, long.class),
            14);
    seqForward =
        ManualSites.virtual(
            SequentialImpl.class,
            "forward",
            MethodType.methodType(Tensor.class, Tensor.class),
            SiteKind.MODULE_FORWARD,
            15);
    linearForward =
        ManualSites.virtual(
            LinearImpl.class,
            "forward",
            MethodType.methodType(Tensor.class, Tensor.class),
            SiteKind.MODULE_FORWARD,
            16);
    maxAlongDim =
        ManualSites.virtual(
            Tensor.class,
            "max",
            MethodType.methodType(T_TensorTensor_T.class, long.class),
            SiteKind.TENSOR_METHOD,
            17);
  }

  @AfterEach
  void noSessionLeaks() {
    assertFalse(Sites.intercepting(), "a test left a session recording");
  }

  /** Root with a bare parameter, a Sequential and a Linear, like a ViT stem. */
  static final class Net extends Module {
    final Tensor token = register_parameter("cls_token", torch.ones(1, 4));
    final SequentialImpl seq = register_module("seq", new SequentialImpl());
    final LinearImpl head = register_module("head", new LinearImpl(4, 2));

    Net() {
      seq.push_back(new LinearImpl(4, 4));
      seq.push_back(new ReLUImpl());
    }
  }

  @Test
  void recordsShapesArgsIdentityAndParameters() throws Throwable {
    Net net = new Net();
    Tensor x = torch.ones(2, 4);
    Trace trace;
    try (TraceSession session = TraceSession.start(net)) {
      Tensor y = (Tensor) add.invoke(x, net.token);
      Tensor z = (Tensor) relu_.invoke(y);
      Tensor r = (Tensor) reshape.invoke(z, new long[] {1, 2, 2, 2});
      trace = session.finish();
      assertEquals(List.of(1L, 2L, 2L, 2L), List.of(r.size(0), r.size(1), r.size(2), r.size(3)));
    }
    assertEquals(3, trace.calls().size());
    TracedCall addCall = trace.call(0);
    assertEquals("add", addCall.op());
    assertEquals("Tensor.add at test.Model.forward(Model.java:12) #2", addCall.site().toString());
    TensorRef input = addCall.tensorInputs().get(0);
    TensorRef token = addCall.tensorInputs().get(1);
    assertEquals(TensorOrigin.EXTERNAL, input.origin());
    assertEquals(TensorOrigin.PARAMETER, token.origin());
    assertEquals("cls_token", token.name());
    assertEquals(List.of(token), trace.parametersUsedDirectly());

    TensorRef sum = addCall.outputTensor();
    TracedCall reluCall = trace.call(1);
    assertEquals(sum, reluCall.tensorInputs().get(0));
    TensorRef relued = reluCall.outputTensor();
    assertEquals(sum.implAddress(), relued.implAddress(), "relu_ works in place");
    assertEquals(sum.version() + 1, relued.version());
    assertNotEquals(sum.id(), relued.id());

    TracedCall reshapeCall = trace.call(2);
    assertEquals(relued, reshapeCall.tensorInputs().get(0));
    assertEquals(
        new Value.LongArrayValue(ImmutableLongArray.of(1, 2, 2, 2)), reshapeCall.args().get(0));
    assertEquals(ImmutableLongArray.of(1, 2, 2, 2), reshapeCall.outputTensor().shape());
    assertEquals(List.of(reshapeCall), trace.consumers(relued));
    assertEquals(ImmutableLongArray.of(4, 4), trace.parameters().get("seq.0.weight"));
  }

  /**
   * While recording, the session owns one extra reference to every tensor it saw (so that no
   * address is reused); the finished trace holds none: an intermediate's memory is then owned by
   * the model's Java peers alone, and freed with them (the trace keeps shapes, not tensors).
   */
  @Test
  void finishedTraceHoldsNoTensor() throws Throwable {
    Net net = new Net();
    Tensor x = torch.ones(2, 4);
    Tensor y;
    Tensor r;
    try (TraceSession session = TraceSession.start(net)) {
      y = (Tensor) add.invoke(x, net.token);
      r = (Tensor) reshape.invoke(y, new long[] {8});
      assertEquals(2, x.use_count(), "x: its peer and the session's reference");
      assertEquals(3, y.use_count(), "y: its peer, the view r's base and the session's reference");
      assertEquals(2, r.use_count(), "r: its peer and the session's reference");
      assertEquals(2, session.finish().calls().size());
    }
    assertEquals(1, x.use_count(), "x: its peer alone");
    assertEquals(2, y.use_count(), "y: its peer and the view r's base");
    assertEquals(1, r.use_count(), "r: its peer alone");
    r.close();
    assertEquals(1, y.use_count(), "y: its peer alone once the view is gone");
  }

  @Test
  void aTensorChangedInPlaceBetweenTracedCallsIsANewUnseenVersion() throws Throwable {
    Net net = new Net();
    Tensor x = torch.ones(2, 4);
    Trace trace;
    try (TraceSession session = TraceSession.start(net)) {
      Tensor y = (Tensor) add.invoke(x, net.token);
      Tensor view = (Tensor) reshape.invoke(y, new long[] {8});
      relu_.invoke(view); // traced, and through a view: y's count moves too, seen
      Tensor a = (Tensor) add.invoke(y, y);
      a.neg_(); // not through a site: unseen
      add.invoke(a, a);
      trace = session.finish();
    }
    TensorRef y = trace.call(3).tensorInputs().get(0);
    assertEquals(TensorOrigin.RESULT, y.origin(), trace.describe());
    assertEquals(trace.call(0).outputTensor(), y);
    TensorRef changed = trace.call(4).tensorInputs().get(0);
    assertEquals(TensorOrigin.EXTERNAL, changed.origin(), trace.describe());
    assertEquals(trace.call(3).outputTensor().implAddress(), changed.implAddress());
    assertEquals(trace.call(3).outputTensor().version() + 1, changed.version());
    assertEquals(-1, changed.producer());
  }

  @Test
  void sequentialChildrenAreReplayedAndRecordedInOrder() throws Throwable {
    Net net = new Net();
    Tensor x = torch.randn(3, 4);
    Tensor expected = net.head.forward(net.seq.forward(x));
    Trace trace;
    Tensor got;
    try (TraceSession session = TraceSession.start(net)) {
      got = (Tensor) linearForward.invoke(net.head, (Tensor) seqForward.invoke(net.seq, x));
      trace = session.finish();
    }
    assertTrue(torch.equal(expected, got), "replayed Sequential must be bit-identical");
    assertEquals(
        List.of("seq", "seq.0", "seq.1", "head"),
        trace.calls().stream().map(TracedCall::modulePath).toList());
    assertEquals("org.bytedeco.pytorch.LinearImpl", trace.call(1).moduleType());
    assertEquals(0, trace.call(1).parent());
    assertTrue(trace.call(1).expanded());
    assertFalse(trace.call(0).expanded());
    assertEquals(
        trace.call(2).outputTensor(),
        trace.call(0).outputTensor(),
        "Sequential returns its last child's output, not a new value");
    assertEquals(trace.call(0).outputTensor(), trace.call(3).tensorInputs().get(0));
  }

  @Test
  void tensorListsAndStaticsAreRecorded() throws Throwable {
    Net net = new Net();
    Trace trace;
    try (TraceSession session = TraceSession.start(net)) {
      TensorVector parts = (TensorVector) unbind.invoke(torch.randn(3, 2, 5), 0L);
      pixelShuffle.invoke(torch.randn(1, 18, 4, 4), 3L);
      assertEquals(3, parts.size());
      trace = session.finish();
    }
    TracedCall unbindCall = trace.call(0);
    assertEquals(3, unbindCall.tensorOutputs().size());
    assertEquals(ImmutableLongArray.of(2, 5), unbindCall.tensorOutputs().get(2).shape());
    TracedCall ps = trace.call(1);
    assertEquals(SiteKind.TORCH_STATIC, ps.kind());
    assertEquals(null, ps.receiver());
    assertEquals(new Value.LongValue(3), ps.args().get(1));
    assertEquals(ImmutableLongArray.of(1, 18, 4, 4), ps.tensorInputs().get(0).shape());
    assertEquals(ImmutableLongArray.of(1, 2, 12, 12), ps.outputTensor().shape());
  }

  @Test
  void tupleResultsAreOpenedSoWhatIsReadOutOfThemIsTraced() throws Throwable {
    Net net = new Net();
    Trace trace;
    try (TraceSession session = TraceSession.start(net)) {
      T_TensorTensor_T valuesAndIndices =
          (T_TensorTensor_T) maxAlongDim.invoke(torch.randn(3, 4), 1L);
      relu_.invoke(new Tensor(valuesAndIndices.get0()));
      trace = session.finish();
    }
    TracedCall max = trace.call(0);
    assertEquals(2, max.tensorOutputs().size(), "values and indices");
    assertEquals(ImmutableLongArray.of(3), max.tensorOutputs().get(0).shape());
    assertEquals("Long", max.tensorOutputs().get(1).dtype());
    TensorRef consumed = trace.call(1).tensorInputs().get(0);
    assertEquals(TensorOrigin.RESULT, consumed.origin(), "get0() is the call's first output");
    assertEquals(0, consumed.producer());
  }

  @Test
  void otherThreadsAreNotRecorded() throws Throwable {
    Net net = new Net();
    Trace trace;
    try (TraceSession session = TraceSession.start(net)) {
      Thread other =
          new Thread(
              () -> {
                try {
                  relu_.invoke(torch.ones(2));
                } catch (Throwable t) {
                  throw new AssertionError(t);
                }
              });
      other.start();
      other.join();
      relu_.invoke(torch.ones(3));
      trace = session.finish();
    }
    assertEquals(1, trace.calls().size());
    assertEquals(ImmutableLongArray.of(3), trace.call(0).outputTensor().shape());
  }

  @Test
  void failingForwardClosesSessionAndNamesTheSite() {
    Net net = new Net();
    TraceFailedException e =
        assertThrows(
            TraceFailedException.class,
            () -> Tracer.trace(net, () -> reshape.invoke(torch.ones(2, 3), new long[] {4, 4})));
    assertTrue(
        e.getMessage()
            .startsWith(
                "forward of io.jprune.tracer.TraceSessionTest$Net threw "
                    + "in Tensor.reshape at test.Model.forward(Model.java:10): "),
        e.getMessage());
    assertEquals("reshape", e.failedCall().op());
    assertFalse(Sites.intercepting());
    // the next session starts normally
    Trace ok = Tracer.trace(net, () -> relu_.invoke(torch.ones(1)));
    assertEquals(1, ok.calls().size());
  }

  @Test
  void onlyOneSessionAtATime() {
    Net net = new Net();
    try (TraceSession first = TraceSession.start(net)) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> TraceSession.start(net));
      assertTrue(
          e.getMessage().startsWith("another trace session is recording (TraceSession["),
          e.getMessage());
    }
  }

  private static Tensor callReshape(Tensor t, long[] shape) {
    try {
      return (Tensor) reshape.invoke(t, shape);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void argumentRewriteReplacesShapeAtOneSite() throws Exception {
    SiteKey key =
        Sites.all().stream()
            .filter(s -> s.targetName().equals("reshape") && s.line() == 10)
            .findFirst()
            .orElseThrow()
            .key();
    Object model = new Object();
    ModelRewrites rewrites = Sites.rewritesFor(model, m -> false);
    rewrites.put(key, args -> new Object[] {args[0], new long[] {3, 2}});
    try {
      Tensor r = rewrites.call(() -> callReshape(torch.ones(2, 3), new long[] {2, 3}));
      assertEquals(3, r.size(0));
      Tensor outside = callReshape(torch.ones(2, 3), new long[] {2, 3});
      assertEquals(2, outside.size(0), "no model's rewrites are current outside the call");
    } finally {
      rewrites.remove(key);
    }
    Tensor r = rewrites.call(() -> callReshape(torch.ones(2, 3), new long[] {2, 3}));
    assertEquals(2, r.size(0));
    java.lang.ref.Reference.reachabilityFence(model);
  }

  @Test
  void exportsJsonAndDot() throws Throwable {
    Net net = new Net();
    Trace trace =
        Tracer.trace(
            net,
            () ->
                linearForward.invoke(
                    net.head, (Tensor) seqForward.invoke(net.seq, torch.ones(1, 4))));
    String json = TraceJson.toString(trace);
    assertTrue(json.contains("\"key\": \"test.Model.forward()V#"), json);
    assertTrue(json.contains("\"module\": \"seq.0\""), json);
    assertEquals(4, TraceJson.toJson(trace).getAsJsonArray("calls").size());
    String dot = TraceDot.toDot(trace);
    assertTrue(dot.startsWith("digraph trace {"), dot);
    assertTrue(dot.contains("subgraph cluster_c0"), dot);
    assertTrue(dot.contains("label=\"seq.0 : LinearImpl\\nModel.java:15\""), dot);
  }
}
