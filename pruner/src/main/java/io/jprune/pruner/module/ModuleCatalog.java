package io.jprune.pruner.module;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The module kinds one pruner knows, by libtorch type name: the built-ins, plus any the user
 * registered. Immutable: {@link #with} returns a new catalog, so two pruners never share
 * registrations.
 */
public final class ModuleCatalog {
  private static final ModuleCatalog BUILTINS =
      new ModuleCatalog(
          ImmutableList.of(
              new LinearKind(),
              new ConvKind(),
              new ConvTransposeKind(),
              new NormKind(NormKind.Norm.BATCH),
              new NormKind(NormKind.Norm.LAYER),
              new NormKind(NormKind.Norm.GROUP),
              new EmbeddingKind(),
              OpLikeKind.activations(),
              OpLikeKind.zeroLosingActivations(),
              OpLikeKind.channelwise(),
              OpLikeKind.layout(),
              new MultiheadAttentionKind(),
              new RecurrentKind(),
              new RecurrentCellKind(),
              new TransformerKind()));

  private final ImmutableList<ModuleKind> kinds;
  private final ImmutableMap<String, ModuleKind> byType;

  private ModuleCatalog(List<ModuleKind> kinds) {
    this.kinds = ImmutableList.copyOf(kinds);
    Map<String, ModuleKind> m = new LinkedHashMap<>();
    for (ModuleKind k : kinds) {
      checkArgument(!k.types().isEmpty(), "module kind %s names no type", k);
      for (String t : k.types()) {
        m.put(t, k); // a later kind (registered by the user) replaces a built-in one
      }
    }
    this.byType = ImmutableMap.copyOf(m);
  }

  /** jprune's own kinds: Linear, Conv, ConvTranspose, norms, Embedding, activations, ... */
  public static ModuleCatalog builtins() {
    return BUILTINS;
  }

  /**
   * This catalog plus {@code kind}, which replaces any kind describing one of its types.
   *
   * @throws IllegalArgumentException when the kind names no type
   */
  public ModuleCatalog with(ModuleKind kind) {
    checkNotNull(kind, "kind");
    return new ModuleCatalog(ImmutableList.<ModuleKind>builder().addAll(kinds).add(kind).build());
  }

  /** The kind describing a libtorch type ({@code Conv2dImpl}), if any. */
  public Optional<ModuleKind> find(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** Every kind, built-ins first. */
  public ImmutableList<ModuleKind> kinds() {
    return kinds;
  }

  @Override
  public String toString() {
    return "ModuleCatalog" + byType.keySet();
  }
}
