package io.jprune.pruner.module;

import com.google.common.collect.ImmutableSet;
import io.jprune.tracer.TracedCall;
import java.util.Optional;

/**
 * Modules whose channels behave like a Tensor/torch op's (activations, dropout, pooling,
 * upsampling, PReLU, pixel shuffle, flatten): the op's rule labels them, so their semantics stay in
 * one place. They have no options that follow channel counts. MACs: output elements for the
 * activation modules Torch-Pruning counts and Upsample, input elements for pooling, else 0.
 */
final class OpLikeKind implements ModuleKind {
  private final String op;
  private final ImmutableSet<String> types;
  private final ImmutableSet<String> countOutputs;
  private final ImmutableSet<String> countInputs;

  private OpLikeKind(
      String op,
      ImmutableSet<String> types,
      ImmutableSet<String> countOutputs,
      ImmutableSet<String> countInputs) {
    this.op = op;
    this.types = types;
    this.countOutputs = countOutputs;
    this.countInputs = countInputs;
  }

  /** Element-wise modules that keep zeros zero (a masked channel stays zero through them). */
  static OpLikeKind activations() {
    return new OpLikeKind(
        "relu",
        ImmutableSet.of(
            "ReLUImpl",
            "ReLU6Impl",
            "GELUImpl",
            "SiLUImpl",
            "TanhImpl",
            "HardtanhImpl",
            "LeakyReLUImpl",
            "ELUImpl",
            "SELUImpl",
            "CELUImpl",
            "MishImpl",
            "HardswishImpl",
            "DropoutImpl",
            "Dropout1dImpl",
            "Dropout2dImpl",
            "Dropout3dImpl",
            "AlphaDropoutImpl",
            "IdentityImpl",
            "SoftsignImpl",
            "TanhshrinkImpl"),
        ImmutableSet.of("ReLUImpl", "ReLU6Impl", "ELUImpl", "LeakyReLUImpl", "GELUImpl"),
        ImmutableSet.of());
  }

  /** Element-wise modules that map zero to non-zero (sigmoid(0) = 0.5). */
  static OpLikeKind zeroLosingActivations() {
    return new OpLikeKind(
        "sigmoid",
        ImmutableSet.of("SigmoidImpl", "SoftplusImpl", "HardsigmoidImpl", "LogSigmoidImpl"),
        ImmutableSet.of(),
        ImmutableSet.of());
  }

  /** Per-channel spatial modules: pooling, upsampling, PReLU, zero padding. */
  static OpLikeKind channelwise() {
    ImmutableSet<String> pools =
        ImmutableSet.of(
            "MaxPool1dImpl",
            "MaxPool2dImpl",
            "MaxPool3dImpl",
            "AvgPool1dImpl",
            "AvgPool2dImpl",
            "AvgPool3dImpl",
            "AdaptiveAvgPool1dImpl",
            "AdaptiveAvgPool2dImpl",
            "AdaptiveAvgPool3dImpl",
            "AdaptiveMaxPool1dImpl",
            "AdaptiveMaxPool2dImpl",
            "AdaptiveMaxPool3dImpl");
    return new OpLikeKind(
        "max_pool2d",
        ImmutableSet.<String>builder()
            .addAll(pools)
            .add("UpsampleImpl", "PReLUImpl", "ZeroPad2dImpl")
            .build(),
        ImmutableSet.of("UpsampleImpl", "PReLUImpl"),
        pools);
  }

  /** Layout modules, replayed like their functional op. */
  static OpLikeKind layout() {
    return new OpLikeKind(
        "reshape",
        ImmutableSet.of("PixelShuffleImpl", "PixelUnshuffleImpl", "FlattenImpl"),
        ImmutableSet.of(),
        ImmutableSet.of());
  }

  @Override
  public ImmutableSet<String> types() {
    return types;
  }

  @Override
  public Optional<String> channelsLikeOp() {
    return Optional.of(op);
  }

  @Override
  public long macs(TracedCall call, CallCost cost) {
    String type = ModuleLabels.type(call);
    if (countOutputs.contains(type)) {
      return cost.kept(call.outputTensor());
    }
    if (countInputs.contains(type) && !call.tensorInputs().isEmpty()) {
      return cost.kept(call.tensorInputs().get(0));
    }
    return 0;
  }
}
