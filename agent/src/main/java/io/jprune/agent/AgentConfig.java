package io.jprune.agent;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the agent instruments and records. Immutable; build with {@link #builder()} or parse the
 * {@code -javaagent} argument string with {@link #parse(String)}.
 *
 * <h2>Argument syntax</h2>
 *
 * <pre>
 * -javaagent:jprune-agent.jar=packages=com.acme.models,org.foo.nets;trace=/tmp/trace.json;dot=/tmp/trace.dot;verbose=true
 * </pre>
 *
 * <ul>
 *   <li>entries are {@code key=value}, separated by {@code ;}; whitespace around keys, values and
 *       package names is ignored, and so are empty entries;
 *   <li>{@code packages}: optional restriction. Without it, every class whose bytecode calls
 *       libtorch (Tensor methods, {@code torch.*} statics, a module {@code forward}) is
 *       instrumented, whatever its package (the unnamed one too), decided from its constant pool.
 *       With it (comma-separated packages, each with its sub-packages), only {@code
 *       org.bytedeco.pytorch.Module} subclasses, the classes nested in one and the classes of those
 *       packages are; what the model computes elsewhere is then unseen, and the pruner refuses it.
 *       JDK, bytedeco, ByteBuddy and jprune's own infrastructure are never instrumented, so such a
 *       package is refused;
 *   <li>{@code trace}: JSON file written at JVM exit with the trace of the first outermost module
 *       forward called from an instrumented class, on whatever thread. The recorded forward runs as
 *       it would without the agent (same grad mode, same results). Until that forward runs, the
 *       recorder owns the call sites and {@code TraceSession.start} is refused;
 *   <li>{@code dot}: Graphviz file written at JVM exit for the same trace (recording is armed by
 *       {@code trace} or {@code dot});
 *   <li>{@code verbose}: {@code true} or {@code false}; logs what the agent does (every
 *       instrumented class, the recording) at INFO instead of DEBUG; problems are logged at WARNING
 *       either way (logger {@code io.jprune.agent}, java.util.logging by default);
 *   <li>{@code prune=R}: prunes the application's model in place (fraction R of each group's
 *       channels), with {@code head-ratio=R}, {@code
 *       importance=l1|l2|bn|lamp|taylor|hessian|fpgm|random}, {@code ignore=a,b} (module paths),
 *       {@code global=true}, {@code round-to=N}, {@code steps=N}, {@code verify=true}, {@code
 *       at=forward:N} (before the N-th root forward, the default being the first) or {@code
 *       at=exit}, and {@code output=DIR} (record.json and weights.pt, see {@link PruneSettings});
 *       these keys need {@code prune};
 *   <li>{@code load=DIR}: re-applies the pruning saved in DIR to the model before the application's
 *       own {@code Module.load}, so that it resumes from a pruned checkpoint.
 * </ul>
 *
 * <p>File paths cannot contain {@code ;}. Unknown keys, duplicate keys and entries without {@code
 * =} are refused with an {@link IllegalArgumentException} listing the accepted keys, so a typo
 * fails the JVM start instead of silently tracing nothing.
 */
public final class AgentConfig {
  /** The keys {@link #parse} accepts, in documentation order. */
  public static final ImmutableList<String> KEYS =
      ImmutableList.of(
          "packages",
          "trace",
          "dot",
          "verbose",
          "prune",
          "head-ratio",
          "importance",
          "ignore",
          "global",
          "round-to",
          "steps",
          "verify",
          "at",
          "output",
          "load");

  private static final String SYNTAX =
      "accepted keys: "
          + String.join(", ", KEYS)
          + " (format: packages=a.b,c.d;trace=/tmp/t.json;dot=/tmp/t.dot;verbose=true)";
  private static final Pattern PACKAGE =
      Pattern.compile(
          "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
              + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

  private final ImmutableSet<String> packages;
  private final Path traceFile;
  private final Path dotFile;
  private final boolean verbose;
  private final PruneSettings prune;
  private final Path loadDir;

  private AgentConfig(Builder b) {
    checkArgument(
        b.prune == null || (b.traceFile == null && b.dotFile == null),
        "jprune agent arguments 'prune' and 'trace'/'dot' cannot be combined: both own the"
            + " call sites while they wait for the root forward");
    this.prune = b.prune;
    this.loadDir = b.loadDir;
    this.packages = b.packages.build();
    this.traceFile = b.traceFile;
    this.dotFile = b.dotFile;
    this.verbose = b.verbose;
  }

  /** No package restriction (every class that calls libtorch), no recording. */
  public static AgentConfig defaults() {
    return builder().build();
  }

  /** A fluent builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses an agent argument string (see the class documentation). {@code null} or blank gives
   * {@link #defaults()}.
   *
   * @throws IllegalArgumentException naming the offending entry and listing the accepted keys
   */
  public static AgentConfig parse(String args) {
    Builder b = builder();
    if (args == null || args.isBlank()) {
      return b.build();
    }
    Set<String> seen = new HashSet<>();
    java.util.Map<String, String> pruneValues = new java.util.LinkedHashMap<>();
    for (String entry : Splitter.on(';').trimResults().omitEmptyStrings().split(args)) {
      int eq = entry.indexOf('=');
      String key = eq < 0 ? "" : entry.substring(0, eq).trim();
      checkArgument(
          !key.isEmpty(),
          "malformed jprune agent argument '%s' in '%s': expected key=value; %s",
          entry,
          args,
          SYNTAX);
      checkArgument(
          KEYS.contains(key), "unknown jprune agent argument '%s' in '%s'; %s", key, args, SYNTAX);
      checkArgument(
          seen.add(key), "duplicate jprune agent argument '%s' in '%s'; %s", key, args, SYNTAX);
      String value = entry.substring(eq + 1).trim();
      switch (key) {
        case "packages" ->
            Splitter.on(',').trimResults().omitEmptyStrings().split(value).forEach(b::addPackage);
        case "trace" -> b.traceFile(pathValue(key, value));
        case "dot" -> b.dotFile(pathValue(key, value));
        case "verbose" -> b.verbose(booleanValue(key, value));
        case "load" -> b.load(pathValue(key, value));
        default -> pruneValues.put(key, value);
      }
    }
    if (!pruneValues.isEmpty()) {
      b.prune(pruneSettings(pruneValues, args));
    }
    return b.build();
  }

  private static PruneSettings pruneSettings(java.util.Map<String, String> values, String args) {
    checkArgument(
        values.containsKey("prune"),
        "jprune agent argument '%s' needs prune=R in" + " '%s'",
        values.keySet().iterator().next(),
        args);
    PruneSettings.Builder p = PruneSettings.builder(doubleValue("prune", values.get("prune")));
    values.forEach(
        (key, value) -> {
          switch (key) {
            case "prune" -> {}
            case "head-ratio" -> p.headRatio(doubleValue(key, value));
            case "importance" -> p.importance(value);
            case "ignore" ->
                Splitter.on(',').trimResults().omitEmptyStrings().split(value).forEach(p::ignore);
            case "global" -> p.global(booleanValue(key, value));
            case "round-to" -> p.roundTo(intValue(key, value));
            case "steps" -> p.steps(intValue(key, value));
            case "verify" -> p.verify(booleanValue(key, value));
            case "at" -> p.at(value);
            case "output" -> p.output(pathValue(key, value));
            default -> throw new AssertionError(key);
          }
        });
    return p.build();
  }

  private static double doubleValue(String key, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "jprune agent argument '" + key + "' must be a number," + " got '" + value + "'", e);
    }
  }

  private static int intValue(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "jprune agent argument '" + key + "' must be an" + " integer, got '" + value + "'", e);
    }
  }

  private static Path pathValue(String key, String value) {
    checkArgument(!value.isEmpty(), "jprune agent argument '%s' needs a file path", key);
    return Path.of(value);
  }

  private static boolean booleanValue(String key, String value) {
    checkArgument(
        value.equals("true") || value.equals("false"),
        "jprune agent argument '%s' must be true or false, got '%s'",
        key,
        value);
    return Boolean.parseBoolean(value);
  }

  /** The package restriction (each also covers its sub-packages); empty: no restriction. */
  public ImmutableSet<String> packages() {
    return packages;
  }

  /** Where the JSON trace is written at JVM exit, if recording. */
  public Optional<Path> traceFile() {
    return Optional.ofNullable(traceFile);
  }

  /** Where the DOT trace is written at JVM exit, if recording. */
  public Optional<Path> dotFile() {
    return Optional.ofNullable(dotFile);
  }

  /** Whether what the agent does is logged at INFO (else DEBUG). */
  public boolean verbose() {
    return verbose;
  }

  /** What to prune in the application, and when, if {@code prune=} was given. */
  public Optional<PruneSettings> prune() {
    return Optional.ofNullable(prune);
  }

  /** The saved pruning ({@code load=DIR}) re-applied before the application's own load. */
  public Optional<Path> loadDir() {
    return Optional.ofNullable(loadDir);
  }

  /** Whether the pruner must be armed in this JVM ({@code prune=} or {@code load=}). */
  public boolean prunes() {
    return prune != null || loadDir != null;
  }

  /** Whether a whole-application recording is armed ({@code trace} or {@code dot} given). */
  public boolean records() {
    return traceFile != null || dotFile != null;
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    Builder b = builder().verbose(verbose);
    packages.forEach(b::addPackage);
    if (traceFile != null) {
      b.traceFile(traceFile);
    }
    if (dotFile != null) {
      b.dotFile(dotFile);
    }
    if (prune != null) {
      b.prune(prune);
    }
    if (loadDir != null) {
      b.load(loadDir);
    }
    return b;
  }

  /** This configuration in {@link #parse} syntax; {@code parse(toArgs())} equals this. */
  public String toArgs() {
    List<String> parts = new ArrayList<>();
    if (!packages.isEmpty()) {
      parts.add("packages=" + String.join(",", packages));
    }
    if (traceFile != null) {
      parts.add("trace=" + traceFile);
    }
    if (dotFile != null) {
      parts.add("dot=" + dotFile);
    }
    if (verbose) {
      parts.add("verbose=true");
    }
    if (prune != null) {
      parts.addAll(prune.toArgs());
    }
    if (loadDir != null) {
      parts.add("load=" + loadDir);
    }
    return String.join(";", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentConfig c
        && packages.equals(c.packages)
        && Objects.equals(traceFile, c.traceFile)
        && Objects.equals(dotFile, c.dotFile)
        && verbose == c.verbose
        && Objects.equals(prune, c.prune)
        && Objects.equals(loadDir, c.loadDir);
  }

  @Override
  public int hashCode() {
    return Objects.hash(packages, traceFile, dotFile, verbose, prune, loadDir);
  }

  @Override
  public String toString() {
    return "AgentConfig[" + toArgs() + "]";
  }

  /** Fluent builder of {@link AgentConfig}. */
  public static final class Builder {
    private final ImmutableSet.Builder<String> packages = ImmutableSet.builder();
    private Path traceFile;
    private Path dotFile;
    private boolean verbose;
    private PruneSettings prune;
    private Path loadDir;

    private Builder() {}

    /** Prunes the application's model as {@code settings} say. */
    public Builder prune(PruneSettings settings) {
      this.prune = checkNotNull(settings, "prune");
      return this;
    }

    /** Re-applies the pruning saved in {@code dir} before the application's own load. */
    public Builder load(Path dir) {
      this.loadDir = checkNotNull(dir, "load");
      return this;
    }

    /**
     * Adds a model package (and its sub-packages).
     *
     * @throws IllegalArgumentException when it is not a package name or is never instrumented
     */
    public Builder addPackage(String packageName) {
      checkNotNull(packageName, "packageName");
      checkArgument(
          PACKAGE.matcher(packageName).matches(),
          "'%s' is not a Java package name (jprune agent argument 'packages')",
          packageName);
      checkArgument(
          !NeverInstrumented.covers(packageName + ".X"),
          "package '%s' is never instrumented: %s",
          packageName,
          NeverInstrumented.describe());
      packages.add(packageName);
      return this;
    }

    /** Adds several model packages. */
    public Builder addPackages(Iterable<String> packageNames) {
      checkNotNull(packageNames, "packageNames").forEach(this::addPackage);
      return this;
    }

    /** Adds the package of {@code modelClass}, e.g. that of the root module. */
    public Builder addPackageOf(Class<?> modelClass) {
      checkNotNull(modelClass, "modelClass");
      checkArgument(
          !modelClass.getPackageName().isEmpty(),
          "%s is in the unnamed package, which cannot be named in 'packages'; without"
              + " 'packages' the agent instruments every class that calls libtorch, the unnamed"
              + " package included",
          modelClass.getName());
      return addPackage(modelClass.getPackageName());
    }

    /** Arms whole-application recording, written as JSON to {@code file} at JVM exit. */
    public Builder traceFile(Path file) {
      this.traceFile = checkNotNull(file, "traceFile");
      return this;
    }

    /** Arms whole-application recording, written as DOT to {@code file} at JVM exit. */
    public Builder dotFile(Path file) {
      this.dotFile = checkNotNull(file, "dotFile");
      return this;
    }

    /** Logs what the agent does at INFO (else DEBUG). */
    public Builder verbose(boolean value) {
      this.verbose = value;
      return this;
    }

    /** The configuration. */
    public AgentConfig build() {
      return new AgentConfig(this);
    }
  }
}
