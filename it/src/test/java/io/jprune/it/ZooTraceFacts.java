package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Tracer;
import io.jprune.tracer.Value;
import io.jprune.tracer.site.SiteKind;
import io.jprune.zoo.ZooModel;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exact facts every trace of the zoo must show, whichever way the agent got in: the {@code
 * -javaagent} IT and the self-attach unit test both extend this class.
 */
abstract class ZooTraceFacts {
  static final long SEED = 7;

  /** Traces one forward of a freshly built zoo model. */
  static Trace trace(ZooModel zoo) {
    Module model = zoo.create(SEED);
    Tensor input = zoo.exampleInput(SEED);
    return Tracer.trace(model, () -> zoo.forward(model, input));
  }

  @ParameterizedTest
  @EnumSource(ZooModel.class)
  void everyModelTracesWithBitIdenticalOutput(ZooModel zoo) {
    Module model = zoo.create(SEED);
    Tensor input = zoo.exampleInput(SEED);
    Tensor idle;
    try (NoGradGuard g = new NoGradGuard()) {
      idle = zoo.forward(model, input);
    }
    Tensor[] traced = new Tensor[1];
    Trace trace = Tracer.trace(model, () -> traced[0] = zoo.forward(model, input));
    assertTrue(torch.equal(idle, traced[0]), zoo + ": tracing changed the output");
    assertFalse(trace.calls().isEmpty(), zoo + ": nothing recorded");
    TracedCall root = trace.topLevel().get(0);
    assertEquals(SiteKind.MODULE_FORWARD, root.kind(), zoo + ": " + root);
    assertEquals("", root.modulePath(), zoo + ": the first top-level call is the root forward");
    assertEquals(model.getClass().getName(), root.moduleType());
    assertEquals(shape(idle), root.outputTensor().shape(), zoo + ": output shape");
    for (TracedCall c : trace.calls()) {
      assertTrue(c.site().line() > 0, zoo + ": zoo classes carry line numbers: " + c);
      assertEquals(null, c.failure(), c.toString());
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void vitAttentionTraceShowsQkvReshapePermuteAndBranches(ZooModel zoo) {
    Trace trace = trace(zoo);
    TracedCall qkv = trace.moduleCalls("blocks.0.attn.qkv").get(0);
    assertEquals("org.bytedeco.pytorch.LinearImpl", qkv.moduleType());
    assertEquals(ImmutableLongArray.of(1, 197, 1152), qkv.outputTensor().shape());

    TracedCall reshape = only(trace.consumers(qkv.outputTensor()));
    assertEquals("reshape", reshape.op());
    assertEquals(
        new Value.LongArrayValue(ImmutableLongArray.of(1, 197, 3, 6, 64)), reshape.args().get(0));
    TracedCall permute = only(trace.consumers(reshape.outputTensor()));
    assertEquals("permute", permute.op());
    assertEquals(
        new Value.LongArrayValue(ImmutableLongArray.of(2, 0, 3, 1, 4)), permute.args().get(0));
    TensorRef qkvPermuted = permute.outputTensor();
    assertEquals(ImmutableLongArray.of(3, 1, 6, 197, 64), qkvPermuted.shape());

    List<TracedCall> branches = trace.consumers(qkvPermuted);
    if (zoo == ZooModel.VIT_S_SELECT) {
      assertEquals(3, branches.size());
      for (int i = 0; i < 3; i++) {
        TracedCall select = branches.get(i);
        assertEquals("select", select.op());
        assertEquals(List.of(new Value.LongValue(0), new Value.LongValue(i)), select.args());
        assertEquals(ImmutableLongArray.of(1, 6, 197, 64), select.outputTensor().shape());
        assertTrue(
            select.site().key().className().startsWith("io.jprune.zoo."), select.site().toString());
        assertTrue(select.site().line() > 0, select.site().toString());
      }
      Set<Integer> ordinals =
          branches.stream().map(c -> c.site().key().ordinal()).collect(Collectors.toSet());
      assertEquals(3, ordinals.size(), "three distinct call sites: " + branches);
    } else {
      TracedCall unbind = only(branches);
      assertEquals("unbind", unbind.op());
      assertEquals(3, unbind.tensorOutputs().size());
      assertEquals(ImmutableLongArray.of(1, 6, 197, 64), unbind.tensorOutputs().get(0).shape());
    }
    assertEquals(
        qkv.parent(),
        trace.moduleCalls("blocks.0.attn").get(0).index(),
        "qkv is called inside the attention module's forward");
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void vitBareParametersAreNamedRootParameters(ZooModel zoo) {
    Trace trace = trace(zoo);
    List<String> direct =
        trace.parametersUsedDirectly().stream().map(TensorRef::name).sorted().toList();
    assertEquals(List.of("cls_token", "pos_embed"), direct);
    assertEquals(ImmutableLongArray.of(1, 197, 384), trace.parameters().get("pos_embed"));
    assertEquals(ImmutableLongArray.of(1, 1, 384), trace.parameters().get("cls_token"));
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"ESPCN", "ESPCN_MODULE"})
  void espcnPixelShuffleRecordsBlocksOfSSquaredChannels(ZooModel zoo) {
    Trace trace = trace(zoo);
    List<TracedCall> shuffles =
        trace.calls().stream()
            .filter(
                c ->
                    c.op().equals("pixel_shuffle")
                        || c.isModuleCall() && c.moduleType().endsWith("PixelShuffleImpl"))
            .toList();
    TracedCall ps = only(shuffles);
    TensorRef in = ps.tensorInputs().get(0);
    TensorRef out = ps.outputTensor();
    long s = 3;
    assertEquals(4, in.rank());
    assertEquals(in.size(1), out.size(1) * s * s, "C*s*s -> C");
    assertEquals(in.size(2) * s, out.size(2));
    assertEquals(in.size(3) * s, out.size(3));
    if (zoo == ZooModel.ESPCN) {
      assertEquals(SiteKind.TORCH_STATIC, ps.kind());
      assertEquals(new Value.LongValue(s), ps.args().get(1));
    }
  }

  @Test
  void resnetDownsampleSequentialIsExpandedIntoItsChildren() {
    Trace trace = trace(ZooModel.RESNET18);
    TracedCall seq = trace.moduleCalls("layer2.0.downsample").get(0);
    List<TracedCall> children = trace.children(seq.index());
    assertEquals(
        List.of("layer2.0.downsample.0", "layer2.0.downsample.1"),
        children.stream().map(TracedCall::modulePath).toList());
    assertEquals("org.bytedeco.pytorch.Conv2dImpl", children.get(0).moduleType());
    assertEquals("org.bytedeco.pytorch.BatchNorm2dImpl", children.get(1).moduleType());
    assertTrue(children.get(0).expanded());
    assertEquals(children.get(1).outputTensor(), seq.outputTensor());
    assertNotEquals(0, trace.moduleCalls("fc").size());
  }

  static TracedCall only(List<TracedCall> calls) {
    assertEquals(1, calls.size(), "expected exactly one call: " + calls);
    return calls.get(0);
  }

  static ImmutableLongArray shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return ImmutableLongArray.copyOf(s);
  }
}
