package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.testmodels.late.LateNet;
import io.jprune.testmodels.late.LateZoo;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model classes that are loaded after the agent, while other classes are being transformed or run,
 * are all instrumented with their own sites (own JVM, see the Surefire configuration).
 *
 * <p>The JVM shows no class to an agent's transformers while they are already running on the
 * loading thread, and ByteBuddy's circularity lock skips such a class too: a model class loaded
 * from inside a transformation is defined untransformed, with no error anywhere. The zoo hit this
 * when the transformer described a retransformed MobileNetV2 by reflection, which linked it and
 * loaded ConvBnAct and InvertedResidual behind the busy transformer; the trace then missed every
 * call inside them.
 */
class LateLoadingTest {
  private static final String LATE = "io.jprune.testmodels.late";
  private static final String NESTED = "io.jprune.testmodels.nested";
  private static final String SIGNATURE = "io.jprune.testmodels.signature";
  // By name only: a class literal or a typed use in this class would load them too early.
  private static final String SIGNATURE_ONLY = SIGNATURE + ".SignatureOnly";
  private static final String SYNC_TRIGGER = "io.jprune.testmodels.plain.SyncTrigger";
  private static final String SYNC_LOADED = NESTED + ".SyncLoaded";
  private static final String NESTED_HOST = NESTED + ".NestedHost";
  private static final String NESTED_LOADED = NESTED + ".NestedLoaded";
  private static final AgentConfig CONFIG =
      AgentConfig.builder().addPackage(LATE).addPackage(NESTED).addPackage(SIGNATURE).build();

  /** The agent's log at every level (its notes are DEBUG without verbose=true). */
  private static final StringBuffer LOG = new StringBuffer();

  /** Held: java.util.logging keeps loggers weakly, and the level set here must stay. */
  private static final Logger AGENT_LOGGER = Logger.getLogger(InstrumentationLog.LOGGER);

  private static Instrumentation instrumentation;

  /** What the attach itself instrumented. */
  private static ImmutableMap<String, Integer> atAttach;

  @BeforeAll
  static void attachAfterAModelRan() throws Exception {
    // Only to look at loaded classes before the jprune transformer exists; selfAttach reuses it.
    instrumentation = ByteBuddyAgent.install();
    Libtorch.load();
    torch.manual_seed(3);
    Module early = LateZoo.early();
    LateZoo.forward(early, torch.randn(2, 8));
    Class.forName(SIGNATURE_ONLY, false, LateLoadingTest.class.getClassLoader());
    assertTrue(isLoaded(LATE + ".LateNet"), "verifying LateZoo loads LateNet");
    for (String notYet :
        List.of(
            LATE + ".LateStem",
            LATE + ".LateBlock",
            LATE + ".LateBase",
            LATE + ".LateAct",
            LATE + ".LateOps",
            SIGNATURE + ".FieldOnly",
            SIGNATURE + ".ParamOnly")) {
      assertFalse(isLoaded(notYet), notYet + " must be loaded after the attach");
    }

    AGENT_LOGGER.setLevel(Level.ALL);
    AGENT_LOGGER.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            LOG.append(r.getLevel()).append(": ").append(r.getMessage()).append('\n');
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    JPruneAgent.selfAttach(CONFIG);
    atAttach = JPruneAgent.instrumentedClasses();
  }

  @AfterEach
  void nothingFailed() {
    assertEquals(List.of(), JPruneAgent.failures());
  }

  @Test
  void submodulesLoadedWhileTheirParentIsRetransformedAreInstrumented() {
    // The JVM loaded these while verifying LateNet's retransformed code, inside the attach.
    assertEquals(4, atAttach.get(LATE + ".LateStem"), atAttach.toString());
    assertEquals(2, atAttach.get(LATE + ".LateBlock"), atAttach.toString());
    assertEquals(2, atAttach.get(LATE + ".LateBase"), atAttach.toString());

    torch.manual_seed(3);
    Module model = LateZoo.late();
    Tensor x = torch.randn(2, 8);
    Tensor before = LateZoo.forward(model, x);
    LateNet net = (LateNet) model;
    Trace trace = Tracer.trace(net, () -> net.forward(x));
    List<String> ops =
        trace.calls().stream()
            .map(c -> (c.isModuleCall() ? c.modulePath() + "." : "") + c.op())
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "stem.forward",
            "stem.fc.forward",
            "tanh",
            "block0.forward",
            "block0.inner.forward",
            "block0.inner.fc.forward",
            "relu",
            "sigmoid",
            "mul",
            "add",
            "block1.forward",
            "block1.inner.forward",
            "block1.inner.fc.forward",
            "sigmoid",
            "sigmoid",
            "mul",
            "add",
            "neg"),
        ops,
        trace.describe());
    assertTrue(torch.equal(before, LateZoo.forward(model, x)));

    // LateAct and LateStem$1 name no libtorch member in their constant pools: nothing to rewrite,
    // so the agent passes them over.
    Map<String, Integer> expected =
        new TreeMap<>(
            Map.of(
                "EarlyNet",
                2,
                "LateZoo",
                2,
                "LateNet",
                2,
                "LateStem",
                4,
                "LateBase",
                2,
                "LateBlock",
                2,
                "LateOps",
                1));
    assertEquals(expected, instrumentedIn(LATE));
    assertFalse(
        LOG.toString()
            .matches("(?s).*instrumented " + LATE.replace(".", "\\.") + "\\.\\S+ late: .*"),
        "no class of " + LATE + " missed the transformer: " + LOG);
  }

  @Test
  void theTransformerDoesNotReflectOnTheClassesItTransforms() {
    assertEquals(1, atAttach.get(SIGNATURE_ONLY), atAttach.toString());
    assertFalse(isLoaded(SIGNATURE + ".FieldOnly"), "something read SignatureOnly's fields");
    assertFalse(isLoaded(SIGNATURE + ".ParamOnly"), "something read SignatureOnly's methods");
  }

  @Test
  void aModelClassLoadedInsideATransformationIsInstrumentedByTheNextAttachCall() throws Exception {
    assertFalse(isLoaded(SYNC_LOADED));
    LoadsWhileTransforming loads = new LoadsWhileTransforming(SYNC_TRIGGER, SYNC_LOADED);
    instrumentation.addTransformer(loads, false);
    try {
      Class.forName(SYNC_TRIGGER, true, LateLoadingTest.class.getClassLoader());
    } finally {
      instrumentation.removeTransformer(loads);
    }
    assertTrue(loads.loaded, "the test transformer did not run");
    assertTrue(isLoaded(SYNC_LOADED));

    JPruneAgent.selfAttach(CONFIG); // what the pruner does before each trace

    assertEquals(1, JPruneAgent.instrumentedClasses().get(SYNC_LOADED));
    assertTrue(
        LOG.toString()
            .contains(
                "instrumented "
                    + SYNC_LOADED
                    + " late: it was loaded"
                    + " after the agent was installed without reaching the transformer (loaded while a class"
                    + " transformation was running on its thread"),
        LOG.toString());
    assertEquals(List.of("sigmoid"), tracedOps(SYNC_LOADED));
  }

  @Test
  void aModelClassLoadedWhileAnotherModelClassIsTransformedIsInstrumentedSoonAfter()
      throws Exception {
    assertFalse(isLoaded(NESTED_LOADED));
    LoadsWhileTransforming loads = new LoadsWhileTransforming(NESTED_HOST, NESTED_LOADED);
    instrumentation.addTransformer(loads, false);
    try {
      Class.forName(NESTED_HOST, true, LateLoadingTest.class.getClassLoader());
    } finally {
      instrumentation.removeTransformer(loads);
    }
    assertTrue(loads.loaded, "the test transformer did not run");
    assertEquals(1, JPruneAgent.instrumentedClasses().get(NESTED_HOST));

    // No attach call follows (a -javaagent JVM): the agent's own sweep must find it. The sweep
    // thread counts the class while retransforming it and says so just after: wait for both.
    long deadline = System.nanoTime() + 20_000_000_000L;
    while ((!JPruneAgent.instrumentedClasses().containsKey(NESTED_LOADED)
            || !LOG.toString().contains("instrumented " + NESTED_LOADED + " late: "))
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(
        2,
        JPruneAgent.instrumentedClasses().get(NESTED_LOADED),
        JPruneAgent.instrumentedClasses().toString());
    assertTrue(
        LOG.toString().contains("instrumented " + NESTED_LOADED + " late: "), LOG.toString());
    assertEquals(List.of("relu", "add"), tracedOps(NESTED_LOADED));
  }

  /** The ops of one traced forward of a new instance of the module class {@code name}. */
  private static List<String> tracedOps(String name) throws Exception {
    Class<?> type = Class.forName(name, true, LateLoadingTest.class.getClassLoader());
    Module model = (Module) type.getConstructor().newInstance();
    java.lang.reflect.Method forward = type.getMethod("forward", Tensor.class);
    Tensor x = torch.randn(2, 8);
    return Tracer.trace(model, () -> forward.invoke(model, x)).calls().stream()
        .map(c -> c.op())
        .collect(Collectors.toList());
  }

  /** Instrumented classes of {@code pkg} itself (simple names) and their site counts. */
  private static Map<String, Integer> instrumentedIn(String pkg) {
    Map<String, Integer> out = new TreeMap<>();
    JPruneAgent.instrumentedClasses()
        .forEach(
            (name, sites) -> {
              if (name.startsWith(pkg + ".") && name.indexOf('.', pkg.length() + 1) < 0) {
                out.put(name.substring(pkg.length() + 1), sites);
              }
            });
    return out;
  }

  private static boolean isLoaded(String name) {
    return Arrays.stream(instrumentation.getAllLoadedClasses())
        .anyMatch(c -> c.getName().equals(name));
  }

  /**
   * Another transformer of the same agent (as a mocking library would register) that loads a class
   * while the JVM transforms a trigger class: that class is defined without being shown to any
   * transformer.
   */
  private static final class LoadsWhileTransforming implements ClassFileTransformer {
    private final String trigger;
    private final String toLoad;
    volatile boolean loaded;

    LoadsWhileTransforming(String trigger, String toLoad) {
      this.trigger = trigger.replace('.', '/');
      this.toLoad = toLoad;
    }

    @Override
    public byte[] transform(
        ClassLoader loader,
        String className,
        Class<?> redefined,
        ProtectionDomain domain,
        byte[] bytes) {
      if (redefined == null && trigger.equals(className)) {
        try {
          Class.forName(toLoad, false, loader);
          loaded = true;
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
      return null;
    }
  }
}
