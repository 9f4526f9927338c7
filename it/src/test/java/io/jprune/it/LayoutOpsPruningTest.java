package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.verify.EquivalenceReport;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One op at a time, for every layout/indexing op of the bindings that label replay makes exact (the
 * table in {@code pruner/LAYOUT-OPS.md}): two 1x1 convs give a = [1, 8, 4, 4] and b = [1, 8, 4, 4],
 * the op moves or copies their elements, and a Linear reads every element of the result. Random
 * channels of a's (and b's) group go, three seeds each (ops whose part or group sizes the model
 * does not pass lose channels that keep their structure); the pruned output equals the masked
 * original (relative 1e-5). {@link #irregularRemovalsAreRefused} shows the refusal of the removals
 * those ops cannot take.
 */
class LayoutOpsPruningTest {
  /** The op under test, applied to a and b. */
  enum Op {
    MOVEAXIS((a, b) -> a.moveaxis(1, 3)),
    SWAPDIMS((a, b) -> a.swapdims(1, 2)),
    MT((a, b) -> a.mT()),
    TILE((a, b) -> a.tile(1, 2, 1, 1)),
    REPEAT_INTERLEAVE((a, b) -> a.repeat_interleave(2)),
    FLIPLR((a, b) -> a.fliplr()),
    FLIPUD((a, b) -> a.flipud()),
    ROT90((a, b) -> a.rot90(1, 1, 2)),
    BROADCAST_TO((a, b) -> a.unsqueeze(0).broadcast_to(2, 1, 8, 4, 4)),
    NARROW_COPY((a, b) -> a.narrow_copy(1, 2, 5)),
    TENSOR_SPLIT((a, b) -> reversedCat(a.tensor_split(3, 1)), 0, 3, 6),
    HSTACK((a, b) -> torch.hstack(new TensorVector(a, b))),
    VSTACK((a, b) -> torch.vstack(new TensorVector(a.select(0, 0), b.select(0, 0)))),
    DSTACK((a, b) -> torch.dstack(new TensorVector(a.permute(0, 2, 1, 3), b.permute(0, 2, 1, 3)))),
    COLUMN_STACK(
        (a, b) -> torch.column_stack(new TensorVector(a.flatten(1, -1), b.flatten(1, -1)))),
    DIAGONAL((a, b) -> a.diagonal(0, 2, 3)),
    UNFOLD((a, b) -> a.unfold(3, 2, 1)),
    NATIVE_CHANNEL_SHUFFLE((a, b) -> torch.native_channel_shuffle(a, 2), 1, 5),
    ADJOINT((a, b) -> a.adjoint()),
    MH((a, b) -> a.mH());

    final BinaryOperator<Tensor> fn;

    /**
     * For ops whose sizes the model does not pass (sections, groups): a removal that keeps their
     * structure (each part or group loses alike). Others lose random channels.
     */
    final long[] structured;

    Op(BinaryOperator<Tensor> fn, long... structured) {
      this.fn = fn;
      this.structured = structured;
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Op.class,
      names = {"TENSOR_SPLIT", "NATIVE_CHANNEL_SHUFFLE"})
  void irregularRemovalsAreRefused(Op op) {
    torch.manual_seed(1);
    OneOp model = new OneOp(op, OneOp.width(op));
    Tensor x = torch.randn(1, 3, 4, 4);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(x))
            .importance(ZooPruning.randomScores(1))
            .build();
    PruningGroup g = pruner.graph().groupOf("a");
    String digest = io.jprune.pruner.surgery.ModelDigest.of(model);
    io.jprune.pruner.graph.refusal.PlanException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.jprune.pruner.graph.refusal.PlanException.class, () -> pruner.prune(g, 0, 1, 2));
    assertTrue(
        e.getMessage()
            .contains(
                op == Op.TENSOR_SPLIT
                    ? "would not compute the kept part"
                    : "cannot run on the pruned shapes"),
        e.getMessage());
    assertEquals(digest, io.jprune.pruner.surgery.ModelDigest.of(model));
  }

  /** index_select: positions are a tensor the model computed; refused when the graph is built. */
  @org.junit.jupiter.api.Test
  void indexSelectOnChannelsIsRefusedWithItsCallSite() {
    torch.manual_seed(1);
    IndexSelectNet model = new IndexSelectNet();
    Tensor x = torch.randn(1, 3, 4, 4);
    String digest = io.jprune.pruner.surgery.ModelDigest.of(model);
    io.jprune.pruner.graph.refusal.UnsupportedOpException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            io.jprune.pruner.graph.refusal.UnsupportedOpException.class,
            () ->
                Pruner.builder(model)
                    .forward(() -> model.forward(x))
                    .importance(ZooPruning.randomScores(1))
                    .build());
    assertTrue(e.getMessage().startsWith("unsupported op Tensor.index_select at "), e.getMessage());
    assertEquals(digest, io.jprune.pruner.surgery.ModelDigest.of(model));
  }

  /** A conv whose channels are reordered with index_select. */
  public static final class IndexSelectNet extends Module {
    private final Conv2dImpl a =
        register_module("a", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
    private final LinearImpl head = register_module("head", new LinearImpl(128, 5));

    public Tensor forward(Tensor x) {
      // made in forward, so traced (a tensor kept in a plain field would be refused as unseen)
      Tensor order =
          torch.arange(
              new org.bytedeco.pytorch.Scalar(7L),
              new org.bytedeco.pytorch.Scalar(-1L),
              new org.bytedeco.pytorch.Scalar(-1L),
              new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Long));
      return head.forward(a.forward(x).index_select(1, order).reshape(1, -1));
    }
  }

  static Tensor reversedCat(TensorVector parts) {
    List<Tensor> owned = new ArrayList<>();
    for (long i = parts.size() - 1; i >= 0; i--) {
      owned.add(new Tensor(parts.get(i)));
    }
    Reference.reachabilityFence(parts);
    return torch.cat(new TensorVector(owned.toArray(new Tensor[0])), 1);
  }

  /** conv a, conv b, the op, a Linear over every element. */
  public static final class OneOp extends Module {
    private final Conv2dImpl a =
        register_module("a", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
    private final Conv2dImpl b =
        register_module("b", new Conv2dImpl(3, 8, new LongPointer(1L, 1L)));
    private final LinearImpl head;
    private final Op op;

    OneOp(Op op, long width) {
      this.op = op;
      head = register_module("head", new LinearImpl(width, 5));
    }

    static long width(Op op) {
      torch.manual_seed(0);
      try (NoGradGuard g = new NoGradGuard()) {
        return op.fn.apply(torch.randn(1, 8, 4, 4), torch.randn(1, 8, 4, 4)).numel();
      }
    }

    public Tensor forward(Tensor x) {
      Tensor y = op.fn.apply(a.forward(x).relu(), b.forward(x).relu());
      return head.forward(y.reshape(1, -1));
    }
  }

  @ParameterizedTest
  @EnumSource(Op.class)
  void channelsGoExactly(Op op) {
    for (long seed = 1; seed <= 3; seed++) {
      torch.manual_seed(seed);
      OneOp model = new OneOp(op, OneOp.width(op));
      Tensor x = torch.randn(1, 3, 4, 4);
      Pruner pruner =
          Pruner.builder(model)
              .forward(() -> model.forward(x))
              .importance(ZooPruning.randomScores(seed))
              .build();
      Random r = new Random(seed);
      Removal.Builder planned = Removal.builder();
      java.util.Set<Integer> seen = new java.util.HashSet<>();
      for (String conv : new String[] {"a", "b"}) {
        PruningGroup g;
        try {
          g = pruner.graph().groupOf(conv);
        } catch (IllegalArgumentException unused) {
          continue; // b is not read by this op
        }
        if (!seen.add(g.id())) {
          continue; // a and b in one group (hstack): one removal
        }
        TreeSet<Long> idx = new TreeSet<>();
        int n = 1 + r.nextInt(7); // fewer than 8: a group of a and b keeps some of each
        while (idx.size() < n) {
          idx.add((long) r.nextInt(g.size()));
        }
        planned.put(
            g.id(),
            op.structured.length > 0
                ? op.structured.clone()
                : idx.stream().mapToLong(Long::longValue).toArray());
      }
      Removal removal = planned.build();
      assertTrue(!removal.isEmpty(), op + ": a has prunable channels");
      long removed = removal.channelCount();
      EquivalenceReport report = pruner.pruneAndVerify(removal);
      assertTrue(report.exactExpected(), op + " seed " + seed + ": " + report);
      assertTrue(report.agrees(1e-5), op + " seed " + seed + ": " + report);
      Map<String, Tensor> t = io.jprune.pruner.surgery.ModelTensors.of(model);
      assertEquals(
          16 - removed,
          t.get("a.weight").size(0) + t.get("b.weight").size(0),
          op + ": the chosen channels went");
    }
  }
}
