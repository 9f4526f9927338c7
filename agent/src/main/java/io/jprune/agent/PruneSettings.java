package io.jprune.agent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the agent prunes in the application it is attached to, and when: the pruning keys of {@link
 * AgentConfig} ({@code prune}, {@code head-ratio}, {@code importance}, {@code ignore}, {@code
 * global}, {@code round-to}, {@code steps}, {@code verify}, {@code at}, {@code output}). Immutable.
 * Plain values only: the pruner, which the agent reaches by reflection, turns them into its
 * options.
 */
public final class PruneSettings {
  /** The criteria {@code importance=} accepts. */
  public static final ImmutableList<String> IMPORTANCES =
      ImmutableList.of("l1", "l2", "bn", "lamp", "taylor", "hessian", "fpgm", "random");

  private final double ratio;
  private final double headRatio;
  private final String importance;
  private final ImmutableList<String> ignore;
  private final boolean global;
  private final int roundTo;
  private final int steps;
  private final boolean verify;
  private final int atForward;
  private final Path output;

  private PruneSettings(Builder b) {
    this.ratio = b.ratio;
    this.headRatio = b.headRatio;
    this.importance = b.importance;
    this.ignore = ImmutableList.copyOf(b.ignore);
    this.global = b.global;
    this.roundTo = b.roundTo;
    this.steps = b.steps;
    this.verify = b.verify;
    this.atForward = b.atForward;
    this.output = b.output;
  }

  /** A builder with the defaults: l2, no heads, forward:1, no verify, no output. */
  public static Builder builder(double ratio) {
    return new Builder(ratio);
  }

  /** Fraction of each group's channels removed ({@code prune=R}). */
  public double ratio() {
    return ratio;
  }

  /** Fraction of whole attention heads removed ({@code head-ratio=R}). */
  public double headRatio() {
    return headRatio;
  }

  /** One of {@link #IMPORTANCES}. */
  public String importance() {
    return importance;
  }

  /** Module paths whose output channels are kept. */
  public ImmutableList<String> ignore() {
    return ignore;
  }

  /** Whether channels are ranked across all groups at once rather than per group. */
  public boolean global() {
    return global;
  }

  /** Kept channel counts are rounded to a multiple of this (1: no rounding). */
  public int roundTo() {
    return roundTo;
  }

  /** In how many steps the ratio is reached. */
  public int steps() {
    return steps;
  }

  /** Whether each step is compared with the masked original. */
  public boolean verify() {
    return verify;
  }

  /**
   * The root forward call (1-based, counted from the moment the agent is installed) before which
   * the model is pruned; empty for {@code at=exit}.
   */
  public Optional<Integer> atForward() {
    return atForward > 0 ? Optional.of(atForward) : Optional.empty();
  }

  /** Where record.json and weights.pt of the pruned model are written. */
  public Optional<Path> output() {
    return Optional.ofNullable(output);
  }

  /** The {@code at=} value as written. */
  public String at() {
    return atForward > 0 ? "forward:" + atForward : "exit";
  }

  /** These settings as agent argument entries. */
  List<String> toArgs() {
    List<String> parts = new ArrayList<>();
    parts.add("prune=" + ratio);
    if (headRatio > 0) {
      parts.add("head-ratio=" + headRatio);
    }
    parts.add("importance=" + importance);
    if (!ignore.isEmpty()) {
      parts.add("ignore=" + String.join(",", ignore));
    }
    if (global) {
      parts.add("global=true");
    }
    if (roundTo != 1) {
      parts.add("round-to=" + roundTo);
    }
    if (steps != 1) {
      parts.add("steps=" + steps);
    }
    if (verify) {
      parts.add("verify=true");
    }
    parts.add("at=" + at());
    if (output != null) {
      parts.add("output=" + output);
    }
    return parts;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PruneSettings p && toArgs().equals(p.toArgs());
  }

  @Override
  public int hashCode() {
    return Objects.hash(toArgs());
  }

  @Override
  public String toString() {
    return String.join(";", toArgs());
  }

  /** Fluent builder; every setter checks its value and names the agent argument it came from. */
  public static final class Builder {
    private final double ratio;
    private double headRatio;
    private String importance = "l2";
    private final List<String> ignore = new ArrayList<>();
    private boolean global;
    private int roundTo = 1;
    private int steps = 1;
    private boolean verify;
    private int atForward = 1;
    private Path output;

    private Builder(double ratio) {
      checkArgument(
          ratio >= 0 && ratio < 1,
          "jprune agent argument 'prune' must be in [0, 1), got %s",
          ratio);
      this.ratio = ratio;
    }

    /** The share of whole attention heads to remove, in [0, 1). */
    public Builder headRatio(double value) {
      checkArgument(
          value >= 0 && value < 1,
          "jprune agent argument 'head-ratio' must be in [0, 1), got %s",
          value);
      this.headRatio = value;
      return this;
    }

    /** How channels are scored: one of {@link #IMPORTANCES}. */
    public Builder importance(String value) {
      checkArgument(
          IMPORTANCES.contains(value),
          "jprune agent argument 'importance' must be one of %s, got '%s'",
          String.join("|", IMPORTANCES),
          value);
      this.importance = value;
      return this;
    }

    /** Keeps the output channels of the module at this path (repeatable). */
    public Builder ignore(String module) {
      checkArgument(
          !checkNotNull(module, "module").isBlank(),
          "jprune agent argument 'ignore' has an empty module path");
      ignore.add(module);
      return this;
    }

    /** Ranks channels across all groups at once. */
    public Builder global(boolean value) {
      this.global = value;
      return this;
    }

    /** Rounds kept channel counts to a multiple of {@code value} (at least 1). */
    public Builder roundTo(int value) {
      checkArgument(value >= 1, "jprune agent argument 'round-to' must be >= 1, got %s", value);
      this.roundTo = value;
      return this;
    }

    /** Reaches the ratio in {@code value} steps (at least 1). */
    public Builder steps(int value) {
      checkArgument(value >= 1, "jprune agent argument 'steps' must be >= 1, got %s", value);
      this.steps = value;
      return this;
    }

    /** Compares each step with the masked original. */
    public Builder verify(boolean value) {
      this.verify = value;
      return this;
    }

    /** Prunes before the {@code n}-th root forward (1-based). */
    public Builder atForward(int n) {
      checkArgument(n >= 1, "jprune agent argument 'at': forward:N needs N >= 1, got %s", n);
      this.atForward = n;
      return this;
    }

    /** Prunes at JVM exit. */
    public Builder atExit() {
      this.atForward = 0;
      return this;
    }

    /** Parses {@code forward:N} or {@code exit}. */
    public Builder at(String value) {
      if (value.equals("exit")) {
        return atExit();
      }
      checkArgument(
          value.startsWith("forward:"),
          "jprune agent argument 'at' must be forward:N or exit, got '%s'",
          value);
      int n;
      try {
        n = Integer.parseInt(value.substring("forward:".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "jprune agent argument 'at' must be forward:N or " + "exit, got '" + value + "'", e);
      }
      return atForward(n);
    }

    /** Writes the pruned model's record and weights to {@code dir}. */
    public Builder output(Path dir) {
      this.output = checkNotNull(dir, "output");
      return this;
    }

    /** The settings. */
    public PruneSettings build() {
      return new PruneSettings(this);
    }
  }
}
