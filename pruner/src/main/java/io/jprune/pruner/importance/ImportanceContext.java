package io.jprune.pruner.importance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.group.PruningGroup;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bytedeco.pytorch.Tensor;

/**
 * What a criterion may read: parameters and buffers by registered name, their gradients after the
 * pruner ran the user's loss (Taylor), and an accumulated squared-gradient (Hessian diagonal)
 * estimate (OBD). Optionally the number of groups of grouped convolutions, for weights whose
 * grouped input columns a pruning group sees only in part (see {@link #convGroups(String)}).
 *
 * <p>The maps are read, never copied or changed: criteria see the live model tensors.
 */
public final class ImportanceContext {
  private final Map<String, Tensor> tensors;
  private final Map<String, Tensor> gradients;
  private final Map<String, Tensor> hessianDiagonal;
  private final Map<String, Integer> convGroups;
  private final SliceVectorCache sliceVectors;

  /**
   * Parameter values, gradients and Hessian-diagonal estimates by parameter name (either of the
   * last two may be empty when no criterion needs it).
   */
  public ImportanceContext(
      Map<String, Tensor> tensors,
      Map<String, Tensor> gradients,
      Map<String, Tensor> hessianDiagonal) {
    this(tensors, gradients, hessianDiagonal, Map.of(), null);
  }

  private ImportanceContext(
      Map<String, Tensor> tensors,
      Map<String, Tensor> gradients,
      Map<String, Tensor> hessianDiagonal,
      Map<String, Integer> convGroups,
      SliceVectorCache sliceVectors) {
    this.tensors = checkNotNull(tensors, "tensors");
    this.gradients = gradients;
    this.hessianDiagonal = hessianDiagonal;
    this.convGroups = convGroups;
    this.sliceVectors = sliceVectors;
  }

  /** A context over the given parameters and buffers; add gradients etc. on the builder. */
  public static Builder builder(Map<String, Tensor> tensors) {
    return new Builder(tensors);
  }

  /** A parameter or buffer by registered name. */
  public Tensor tensor(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no parameter or buffer named '" + name + "'");
    }
    return t;
  }

  /** Whether a parameter or buffer of that name exists (e.g. a BatchNorm's running_var). */
  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** All parameters and buffers by name (read-only view). */
  public Map<String, Tensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /** The gradient of a parameter, when the pruner computed gradients. */
  public Optional<Tensor> gradient(String name) {
    return gradients == null ? Optional.empty() : Optional.ofNullable(gradients.get(name));
  }

  /** The accumulated Hessian-diagonal estimate of a parameter, when computed. */
  public Optional<Tensor> hessianDiagonal(String name) {
    return hessianDiagonal == null
        ? Optional.empty()
        : Optional.ofNullable(hessianDiagonal.get(name));
  }

  /**
   * The {@code groups} of the grouped convolution whose weight this is, when given. Criteria
   * otherwise take 1 + the largest {@code convGroup} among the group's slices of that weight, which
   * is right whenever a pruning group holds the columns of every conv group (the usual case: one
   * producer feeds all input channels).
   */
  public OptionalInt convGroups(String weight) {
    Integer g = convGroups.get(weight);
    return g == null ? OptionalInt.empty() : OptionalInt.of(g);
  }

  /** Per-index sums shared by the groups scored with this context; null when none were given. */
  SliceVectorCache sliceVectorCache() {
    return sliceVectors;
  }

  /** Builds a context; only the tensors are required. */
  public static final class Builder {
    private final Map<String, Tensor> tensors;
    private Map<String, Tensor> gradients;
    private Map<String, Tensor> hessianDiagonal;
    private final Map<String, Integer> convGroups = new LinkedHashMap<>();
    private SliceVectorCache sliceVectors;

    private Builder(Map<String, Tensor> tensors) {
      this.tensors = checkNotNull(tensors, "tensors");
    }

    /** Gradients by parameter name (e.g. summed over the pruner's loss samples). */
    public Builder gradients(Map<String, Tensor> gradients) {
      this.gradients = checkNotNull(gradients, "gradients");
      return this;
    }

    /** Hessian-diagonal estimates by parameter name, e.g. {@link HessianAccumulator#diagonal}. */
    public Builder hessianDiagonal(Map<String, Tensor> hessianDiagonal) {
      this.hessianDiagonal = checkNotNull(hessianDiagonal, "hessianDiagonal");
      return this;
    }

    /** The {@code groups} option of the grouped convolution owning {@code weight}. */
    public Builder convGroups(String weight, int groups) {
      checkNotNull(weight, "weight");
      checkArgument(groups >= 1, "groups of %s must be >= 1, got %s", weight, groups);
      convGroups.put(weight, groups);
      return this;
    }

    /**
     * The groups that will be scored with this context (all of them, before the first is scored):
     * built-in criteria then compute each parameter's per-index sums once for every group that
     * reads it, instead of once per group. Scores are the same. The tensors must not change while
     * the context is in use.
     */
    public Builder groups(List<PruningGroup> groups) {
      this.sliceVectors = SliceVectorCache.of(checkNotNull(groups, "groups"));
      return this;
    }

    /** The context, with the conv groups given. */
    public ImportanceContext build() {
      return new ImportanceContext(
          tensors, gradients, hessianDiagonal, Map.copyOf(convGroups), sliceVectors);
    }
  }
}
