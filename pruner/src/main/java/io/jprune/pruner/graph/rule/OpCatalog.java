package io.jprune.pruner.graph.rule;

import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TracedCall;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every op jprune knows, by Tensor/torch method name; built-in modules by their {@link ModuleKind}
 * in the graph's {@link ModuleCatalog}. An op or module that returns tensors and is not known is
 * refused with its name and call site: nothing is silently treated as element-wise.
 */
public final class OpCatalog {
  private static final Map<String, OpRule> OPS = new HashMap<>();

  static {
    OpRule preserved = new ElementwiseRule(ElementwiseRule.Zero.PRESERVED);
    OpRule lost = new ElementwiseRule(ElementwiseRule.Zero.LOST);
    OpRule additive = new ElementwiseRule(ElementwiseRule.Zero.ADDITIVE);
    OpRule division = new ElementwiseRule(ElementwiseRule.Zero.DIVISION);
    ops(
        preserved,
        "relu",
        "relu_",
        "relu6",
        "gelu",
        "gelu_",
        "silu",
        "silu_",
        "tanh",
        "tanh_",
        "hardtanh",
        "hardtanh_",
        "leaky_relu",
        "leaky_relu_",
        "elu",
        "elu_",
        "selu",
        "celu",
        "mish",
        "hardswish",
        "hardswish_",
        "dropout",
        "dropout_",
        "feature_dropout",
        "alpha_dropout",
        "neg",
        "abs",
        "sin",
        "sqrt",
        "square",
        "erf",
        "contiguous",
        "clone",
        "detach",
        "to",
        "float",
        "half",
        "double",
        "type_as",
        "mul",
        "mul_",
        "multiply",
        "maximum",
        "minimum",
        "sign",
        "trunc",
        "round",
        "zeros_like");
    ops(
        lost,
        "sigmoid",
        "sigmoid_",
        "exp",
        "exp_",
        "log",
        "cos",
        "reciprocal",
        "rsqrt",
        "hardsigmoid",
        "softplus",
        "clamp",
        "clamp_",
        "clip",
        "pow",
        "fill_",
        "log_sigmoid",
        "cosh",
        "sigmoid_backward",
        "ones_like",
        "full_like",
        "empty_like",
        "rand_like",
        "randn_like",
        "randint_like",
        "masked_fill",
        "masked_fill_",
        "where",
        "gt",
        "lt",
        "ge",
        "le",
        "eq",
        "ne",
        "greater",
        "less",
        "greater_equal",
        "less_equal",
        "logical_and",
        "logical_or",
        "logical_xor",
        "logical_not",
        "isnan",
        "isinf",
        "isfinite");
    ops(additive, "add", "add_", "sub", "sub_", "subtract", "rsub");
    ops(division, "div", "div_", "divide", "true_divide");
    ops(
        new LayoutRule(),
        "reshape",
        "view",
        "flatten",
        "unflatten",
        "permute",
        "transpose",
        "transpose_",
        "t",
        "select",
        "narrow",
        "split",
        "split_with_sizes",
        "chunk",
        "unbind",
        "cat",
        "concat",
        "concatenate",
        "stack",
        "expand",
        "expand_as",
        "repeat",
        "squeeze",
        "unsqueeze",
        "pixel_shuffle",
        "pixel_unshuffle",
        "movedim",
        "swapaxes",
        "swapdims",
        "view_as",
        "reshape_as",
        "flip",
        "roll",
        "channel_shuffle",
        "slice",
        "moveaxis",
        "mT",
        "mH",
        "adjoint",
        "tile",
        "repeat_interleave",
        "fliplr",
        "flipud",
        "rot90",
        "broadcast_to",
        "narrow_copy",
        "tensor_split",
        "hstack",
        "vstack",
        "dstack",
        "column_stack",
        "diagonal",
        "unfold",
        "native_channel_shuffle");
    ops(new ReductionRule(true), "sum", "nansum");
    ops(
        new ReductionRule(false),
        "mean",
        "amax",
        "amin",
        "logsumexp",
        "norm",
        "var",
        "std",
        "prod");
    ops(new ExtremumRule(new ReductionRule(false), preserved), "max", "min");
    ops(new SoftmaxRule(), "softmax", "log_softmax", "_softmax");
    ops(new ContractionRule(), "matmul", "mm", "bmm");
    ops(new FunctionalLinearRule(), "linear", "addmm");
    ops(new PadRule(), "pad", "constant_pad_nd");
    ops(
        new FactoryRule(),
        "zeros",
        "ones",
        "full",
        "empty",
        "arange",
        "linspace",
        "logspace",
        "eye",
        "rand",
        "randn",
        "randint",
        "randperm",
        "scalar_tensor",
        "tril_indices",
        "triu_indices");
    ops(
        new ChannelwiseRule(),
        "max_pool1d",
        "max_pool2d",
        "max_pool3d",
        "avg_pool1d",
        "avg_pool2d",
        "avg_pool3d",
        "adaptive_avg_pool1d",
        "adaptive_avg_pool2d",
        "adaptive_avg_pool3d",
        "adaptive_max_pool1d",
        "adaptive_max_pool2d",
        "adaptive_max_pool3d",
        "upsample_nearest2d",
        "upsample_bilinear2d");
  }

  private OpCatalog() {}

  private static void ops(OpRule rule, String... names) {
    for (String n : names) {
      OPS.put(n, rule);
    }
  }

  /** The rule of a leaf call that produced tensors. */
  public static OpRule ruleFor(TracedCall call, ModuleCatalog catalog) {
    return find(call, catalog)
        .orElseThrow(
            () ->
                new UnsupportedOpException(
                    call,
                    "no channel rule is known for it; jprune refuses rather than guessing"
                        + (call.isModuleCall()
                            ? " (describe it with a ModuleKind registered on the "
                                + "Pruner builder)"
                            : "")));
  }

  static Optional<OpRule> find(TracedCall call, ModuleCatalog catalog) {
    if (call.isModuleCall()) {
      return catalog.find(ModuleLabels.type(call)).map(OpCatalog::moduleRule);
    }
    return Optional.ofNullable(OPS.get(call.op()));
  }

  /** A module kind that behaves like an op uses that op's rule whole (masks and patches too). */
  private static OpRule moduleRule(ModuleKind kind) {
    if (kind.channelsLikeOp().isPresent()) {
      String op = kind.channelsLikeOp().get();
      OpRule rule = OPS.get(op);
      if (rule == null) {
        throw new IllegalArgumentException(
            "module kind "
                + kind.types()
                + " behaves like op '"
                + op
                + "', which jprune does not know");
      }
      return rule;
    }
    return new ModuleKindRule(kind);
  }
}
