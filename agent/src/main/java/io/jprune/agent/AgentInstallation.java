package io.jprune.agent;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.MapMaker;
import java.lang.instrument.Instrumentation;
import java.util.Collections;
import java.util.function.Supplier;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.agent.builder.AgentBuilder.RedefinitionStrategy;
import net.bytebuddy.pool.TypePool;

/**
 * The agent installed in this JVM: one ByteBuddy transformer whose model-class policy can grow
 * (packages added by a later self-attach), plus the retransformation of classes loaded before, and
 * sweeps that catch model classes the transformer never saw (see {@link LoadedClassRetransformer}):
 * at every attach call, and in the background shortly after model classes were rewritten.
 *
 * <p>ByteBuddy settings, each for a measured reason: {@code DECORATE} with the no-op initialization
 * strategy (the class keeps its shape, so retransformation is accepted, and no "Cannot add
 * initializer of decorated type"); types described from a type pool only, cached per class loader
 * (resolving the bindings' types per class is the dominant instrumentation cost, and reflection
 * inside a transformation would load classes behind its back); retransformation-capable
 * registration, with discovery of loaded classes done by {@link LoadedClassRetransformer} so that
 * every refusal names its class.
 */
final class AgentInstallation {
  private final InstrumentationLog log;
  private final LoadedClassRetransformer retransformer;
  private final StragglerSweeper sweeper;
  private volatile ModelClassPolicy policy;
  private AgentConfig config;

  private AgentInstallation(Instrumentation instrumentation, AgentConfig config) {
    this.log = new InstrumentationLog(config.verbose());
    this.retransformer = new LoadedClassRetransformer(instrumentation, log);
    this.sweeper = new StragglerSweeper(retransformer, log);
    this.policy = new ModelClassPolicy(config.packages());
    this.config = config;
  }

  /**
   * Installs the transformer; {@link #instrumentLoadedClasses} must follow.
   *
   * @throws IllegalStateException when the JVM cannot retransform
   */
  static AgentInstallation install(Instrumentation instrumentation, AgentConfig config) {
    checkNotNull(instrumentation, "instrumentation");
    checkNotNull(config, "config");
    checkState(
        instrumentation.isRetransformClassesSupported(),
        "this JVM cannot retransform classes; the jprune agent jar's manifest must say "
            + "Can-Retransform-Classes: true");
    AgentInstallation installation = new AgentInstallation(instrumentation, config);
    loadMatcherClasses();
    installation.builder().installOn(instrumentation);
    installation.log.note("agent installed: " + installation.policy);
    installation.sweeper.start();
    installation.log.onRewrite(installation.sweeper::request);
    return installation;
  }

  /**
   * Instruments the model classes loaded before {@link #install}, then arms recording if the config
   * asks for it. The transformer stays installed when this throws, with the classes named recorded
   * as failures.
   *
   * @throws IllegalStateException naming every loaded model class that could not be instrumented
   */
  synchronized void instrumentLoadedClasses() {
    retransformer.apply(policy).throwIfProblems();
    // Classes another thread was defining while the transformer was being added were neither
    // shown to it nor, perhaps, listed for the sweep above.
    sweeper.request();
    if (config.records()) {
      RecordingHook.arm(config, log);
    }
    if (config.prunes()) {
      PruningHook.arm(config);
    }
  }

  /**
   * Loads the classes the transformer's matchers run before the transformer sees any class: a class
   * first loaded from inside its own transformation would be defined twice ("attempted duplicate
   * class definition").
   */
  private static void loadMatcherClasses() {
    NeverInstrumented.covers("");
    PrefilteringTransformer.candidate(null, "", new byte[0]);
    LibtorchReferences.mayCall(new byte[0]);
    TracedTargets.of(AgentInstallation.class.getClassLoader());
    new MethodSites("", "", "", null).describe();
    SiteBootstraps.isLambdaMetafactory(SiteBootstraps.SITE);
  }

  /**
   * ByteBuddy's property that turns off its Nexus (the registry behind the self-injection
   * initialization strategy, unused here: {@code NoOp}). {@code new AgentBuilder.Default()}
   * initializes the Nexus accessor, which probes {@code sun.misc.Unsafe}; JDK 24+ prints a warning
   * for that (JEP 498). Shading relocates this string with ByteBuddy, so the agent jar sets its own
   * copy's property and not the application's.
   */
  static final String NEXUS_DISABLED = "net.bytebuddy.nexus.disabled";

  private AgentBuilder builder() {
    return withoutNexus(AgentBuilder.Default::new)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        // Never reflect on a loaded class while transforming: reflection links it, and classes
        // loaded by that linking (its submodules) would pass the busy transformer untransformed.
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(RedefinitionStrategy.RETRANSFORMATION)
        .with((RedefinitionStrategy.DiscoveryStrategy) inst -> Collections.emptyList())
        .with(
            new AgentBuilder.PoolStrategy.WithTypePoolCache.Simple(
                TypePool.Default.ReaderMode.FAST, new MapMaker().weakKeys().makeMap()))
        .with(log)
        .with((AgentBuilder.TransformerDecorator) PrefilteringTransformer::new)
        .ignore(
            (type, loader, module, redefined, domain) ->
                loader == null || NeverInstrumented.covers(type.getName()))
        .type((type, loader, module, redefined, domain) -> policy.isModelClass(type))
        .transform(
            (builder, type, loader, module, domain) ->
                builder.visit(new SiteRewriter(TracedTargets.of(loader), loader, log)));
  }

  /**
   * Creates the builder with the Nexus off, unless the JVM was started with the property set either
   * way; the property is removed again, as ByteBuddy reads it once.
   */
  private static AgentBuilder withoutNexus(Supplier<AgentBuilder> create) {
    if (System.getProperty(NEXUS_DISABLED) != null) {
      return create.get();
    }
    System.setProperty(NEXUS_DISABLED, "true");
    try {
      return create.get();
    } finally {
      System.clearProperty(NEXUS_DISABLED);
    }
  }

  /**
   * Adds the packages of {@code more} to a package restriction (the whole application stays the
   * whole application) and instruments the loaded classes they newly cover, and any loaded model
   * class that missed the transformer; arms recording if {@code more} asks for it.
   *
   * @throws IllegalStateException naming every loaded model class that could not be instrumented
   */
  synchronized void extend(AgentConfig more) {
    checkNotNull(more, "config");
    ModelClassPolicy before = policy;
    ModelClassPolicy after = before.withPackages(more.packages());
    AgentConfig.Builder merged = config.toBuilder().verbose(config.verbose() || more.verbose());
    if (!before.wholeApplication()) {
      merged.addPackages(more.packages()); // the whole application needs no package added
    }
    more.traceFile().ifPresent(merged::traceFile);
    more.dotFile().ifPresent(merged::dotFile);
    if (more.records()) {
      RecordingHook.arm(more, log);
    }
    more.prune().ifPresent(merged::prune);
    more.loadDir().ifPresent(merged::load);
    config = merged.build();
    log.verbose(config.verbose());
    if (!after.packages().equals(before.packages())) {
      policy = after;
    }
    retransformer.apply(policy).throwIfProblems();
    if (more.prunes()) {
      // after the retransformation: the root forward's call site must be a rewritten one
      PruningHook.arm(more);
    }
  }

  synchronized AgentConfig config() {
    return config;
  }

  /** Classes rewritten so far, with their number of call sites. */
  ImmutableMap<String, Integer> rewrittenClasses() {
    return log.rewrittenClasses();
  }

  /** Every class the transformer failed to rewrite (printed when it happened). */
  ImmutableList<InstrumentationLog.Failure> failures() {
    return log.failures();
  }
}
