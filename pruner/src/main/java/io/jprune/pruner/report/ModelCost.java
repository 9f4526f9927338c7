package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.module.CallCost;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parameters and multiply-accumulates (MACs) per layer and in total, read from a {@link Trace} (the
 * shapes every call really saw), and the same estimate after a removal without applying it.
 *
 * <p>What is counted follows Torch-Pruning's {@code count_ops_and_params} (ptflops rules) so that
 * ResNet-18 at 224x224 gives its 11,689,512 params and 1,822,177,768 MACs:
 *
 * <ul>
 *   <li>Conv1d/2d/3d: output elements x in_channels/groups x kernel elements, plus one per output
 *       element for a bias;
 *   <li>ConvTranspose1d/2d/3d: input elements x out_channels/groups x kernel elements (+ bias);
 *       ptflops counts output positions instead, which over-counts by the stride;
 *   <li>Linear: output elements x in_features (+ one per output element for a bias; ptflops adds
 *       the bias once per output feature, the same for a batch of one row);
 *   <li>BatchNorm, InstanceNorm, GroupNorm and LayerNorm: elements x 2 when affine, else x 1
 *       (Torch-Pruning counts no LayerNorm);
 *   <li>ReLU, ReLU6, PReLU, ELU, LeakyReLU and GELU modules: elements, once per call;
 *   <li>max/avg/adaptive pooling modules: input elements; Upsample: output elements;
 *   <li>Tensor/torch {@code matmul}, {@code mm}, {@code bmm}: output elements x contracted size
 *       (batch x n x k x m), which ptflops does not see;
 *   <li>MultiheadAttention: its four projections, q.k^T and the weighted sum of v;
 *   <li>LSTM/GRU/RNN and their cells: per time step, sample, layer and direction, gates x hidden x
 *       (input + hidden), + hidden x proj_size, + 2 x gates x hidden for the biases;
 *   <li>Embedding, functional element-wise ops, softmax and layout ops: 0.
 * </ul>
 *
 * Each module's MACs come from its {@link ModuleKind} (the list above is what the built-in kinds
 * count); a module kind the catalog does not know counts 0. Parameters are every registered
 * parameter (buffers such as BN running statistics excluded); a layer's own are listed on its row,
 * the rest (cls_token, pos_embed, unused modules) on an {@value #OTHER} row.
 */
public final class ModelCost {
  /** The footer printed under cost tables: what the numbers mean. */
  public static final String COUNTED =
      "MACs: conv/linear = out elements x in/groups x kernel "
          + "(+ bias), conv-transpose = in elements x out/groups x kernel (+ bias), norms = "
          + "elements x 2 if affine, ReLU/ReLU6/PReLU/ELU/LeakyReLU/GELU modules = elements, pooling "
          + "= input elements, matmul/mm/bmm = batch x n x k x m, functional linear/addmm = out "
          + "elements x in, MultiheadAttention = its four projections + 2 x batch x L x S x E, "
          + "LSTM/GRU/RNN (and cells) = steps x batch x (gates x H x (in + H) + biases) per layer "
          + "and direction; embedding, functional element-wise ops and layout ops = 0 "
          + "(Torch-Pruning's rules plus matmul). Params: registered parameters, buffers excluded.";

  /** Row name of parameters that belong to no counted layer. */
  public static final String OTHER = "(other parameters)";

  private static final ImmutableSet<String> MATMULS =
      ImmutableSet.of("matmul", "mm", "bmm", "linear", "addmm");

  private final ImmutableList<LayerCost> layers;
  private final long params;
  private final long macs;

  private ModelCost(ImmutableList<LayerCost> layers) {
    this.layers = layers;
    this.params = layers.stream().mapToLong(LayerCost::params).sum();
    this.macs = layers.stream().mapToLong(LayerCost::macs).sum();
  }

  /** The cost of the traced run as it was, with jprune's built-in module kinds. */
  public static ModelCost of(Trace trace) {
    return of(trace, ModuleCatalog.builtins());
  }

  /** The cost of the traced run as it was; modules count what their kind in the catalog says. */
  public static ModelCost of(Trace trace, ModuleCatalog catalog) {
    return new Counter(checkNotNull(trace, "trace"), null, checkNotNull(catalog, "catalog"))
        .count();
  }

  /**
   * The cost the traced run would have after {@code effects} were applied: parameter shapes from
   * the cuts, tensor sizes from the removed elements of every traced tensor.
   *
   * @param effects a removal validated on a graph built from this same trace
   */
  public static ModelCost afterRemoval(Trace trace, RemovalEffects effects) {
    checkNotNull(trace, "trace");
    checkNotNull(effects, "effects");
    for (ParamCut cut : effects.cuts().values()) {
      ImmutableLongArray traced =
          trace.parameters().containsKey(cut.param())
              ? trace.parameters().get(cut.param())
              : trace.buffers().get(cut.param());
      checkArgument(
          traced != null,
          "the removal cuts %s, which is not in the trace of %s: " + "effects of another model?",
          cut.param(),
          trace.rootType());
      checkArgument(
          traced.equals(cut.shape()),
          "the removal cuts %s of shape %s, the trace of " + "%s has %s: effects of another model?",
          cut.param(),
          cut.shape(),
          trace.rootType(),
          traced);
    }
    return new Counter(trace, effects, effects.catalog()).count();
  }

  /** Rows in call order (a module at its first call), {@value #OTHER} last when non-zero. */
  public ImmutableList<LayerCost> layers() {
    return layers;
  }

  /** The row of a module path or op name, if counted. */
  public Optional<LayerCost> layer(String name) {
    return layers.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** Every registered parameter element. */
  public long params() {
    return params;
  }

  /** All counted multiply-accumulates of one forward. */
  public long macs() {
    return macs;
  }

  @Override
  public String toString() {
    return String.format("ModelCost[%,d params, %,d MACs, %d rows]", params, macs, layers.size());
  }

  /** One pass over the trace; {@code effects} null for the traced shapes. */
  private static final class Counter implements CallCost {
    private final Trace trace;
    private final RemovalEffects effects;
    private final ModuleCatalog catalog;
    private final Map<String, LayerCost> rows = new LinkedHashMap<>();
    private final Map<String, Integer> opsPerModule = new HashMap<>();

    Counter(Trace trace, RemovalEffects effects, ModuleCatalog catalog) {
      this.trace = trace;
      this.effects = effects;
      this.catalog = catalog;
    }

    ModelCost count() {
      for (TracedCall call : trace.calls()) {
        if (call.failure() != null || call.tensorOutputs().isEmpty()) {
          continue;
        }
        if (call.isModuleCall()) {
          if (call.isBuiltinModuleCall() && trace.children(call.index()).isEmpty()) {
            countModule(call);
          }
        } else if (MATMULS.contains(call.op())) {
          countMatmul(call);
        }
      }
      long counted = rows.values().stream().mapToLong(LayerCost::params).sum();
      long all = 0;
      for (String p : trace.parameters().keySet()) {
        all += numel(paramShape(p));
      }
      ImmutableList.Builder<LayerCost> out = ImmutableList.builder();
      out.addAll(rows.values());
      if (all > counted) {
        out.add(new LayerCost(OTHER, "-", all - counted, 0, 0));
      }
      return new ModelCost(out.build());
    }

    /** A built-in leaf module's row: its parameters once, the MACs of every call to it. */
    private void countModule(TracedCall call) {
      String path = call.modulePath();
      String type = shortType(call.moduleType());
      Optional<ModuleKind> kind = catalog.find(ModuleLabels.type(call));
      boolean nested = kind.map(ModuleKind::ownsSubmoduleParameters).orElse(false);
      rows.computeIfAbsent(
          path, p -> new LayerCost(p, type, nested ? allParams(p) : ownParams(p), 0, 0));
      rows.put(path, rows.get(path).plus(kind.map(k -> k.macs(call, this)).orElse(0L)));
    }

    /** A matmul outside modules: a row of its own, {@code module/op#n}. */
    private void countMatmul(TracedCall call) {
      String parent = enclosingModule(call);
      int n = opsPerModule.merge(parent, 1, Integer::sum) - 1;
      String name = (parent.isEmpty() ? "<root>" : parent) + "/" + call.op() + "#" + n;
      rows.put(name, new LayerCost(name, call.op(), 0, 0, 0).plus(matmulMacs(call)));
    }

    private String enclosingModule(TracedCall call) {
      int parent = call.parent();
      while (parent >= 0) {
        TracedCall p = trace.call(parent);
        if (p.isModuleCall()) {
          return p.modulePath();
        }
        parent = p.parent();
      }
      return "";
    }

    private long allParams(String path) {
      long total = 0;
      for (String p : trace.parameters().keySet()) {
        if (p.startsWith(path + ".")) {
          total += numel(paramShape(p));
        }
      }
      return total;
    }

    private long matmulMacs(TracedCall call) {
      List<TensorRef> in = call.tensorInputs();
      int left = call.op().equals("addmm") ? 1 : 0; // addmm(bias, x, w)
      checkArgument(
          in.size() >= left + 2, "%s has %s tensor inputs, expected %s", call, in.size(), left + 2);
      return kept(call.tensorOutputs().get(0)) * contracted(in.get(left));
    }

    private long ownParams(String path) {
      long n = 0;
      String prefix = path.isEmpty() ? "" : path + ".";
      for (String p : trace.parameters().keySet()) {
        if (p.startsWith(prefix) && p.indexOf('.', prefix.length()) < 0) {
          n += numel(paramShape(p));
        }
      }
      return n;
    }

    @Override
    public boolean hasParameter(String name) {
      return trace.parameters().containsKey(name);
    }

    @Override
    public long size(TensorRef t, int dim) {
      if (effects == null) {
        return t.size(dim);
      }
      long[] s = effects.prunedShape(t);
      return s[dim < 0 ? dim + s.length : dim];
    }

    @Override
    public long[] paramShape(String name) {
      ImmutableLongArray traced = trace.parameters().get(name);
      checkArgument(traced != null, "the trace of %s has no parameter %s", trace.rootType(), name);
      ParamCut cut = effects == null ? null : effects.cuts().get(name);
      return cut == null ? traced.toArray() : cut.newShape();
    }

    /** Elements of a traced tensor left after the removal. */
    @Override
    public long kept(TensorRef t) {
      return effects == null ? t.numel() : t.numel() - effects.removedElements(t).cardinality();
    }

    /**
     * The size of the last dim after the removal: kept elements over kept rows (the kept elements
     * of a runnable removal are dense, so every kept row keeps as many).
     */
    private long contracted(TensorRef a) {
      long last = a.size(-1);
      if (effects == null || last == 0) {
        return last;
      }
      BitSet removed = effects.removedElements(a);
      if (removed.isEmpty()) {
        return last;
      }
      long rows = a.numel() / last;
      long keptRows = 0;
      for (long r = 0; r < rows; r++) {
        if (removed.nextClearBit((int) (r * last)) < (r + 1) * last) {
          keptRows++;
        }
      }
      return keptRows == 0 ? 0 : kept(a) / keptRows;
    }

    private static long numel(long[] shape) {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  /**
   * {@code org.bytedeco.pytorch.Conv2dImpl} or {@code torch::nn::Conv2dImpl} -> {@code Conv2d};
   * {@code io.jprune.zoo.Attention} -> {@code Attention}.
   */
  static String shortType(String className) {
    String simple =
        className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf(':')) + 1);
    return simple.endsWith("Impl") ? simple.substring(0, simple.length() - 4) : simple;
  }
}
