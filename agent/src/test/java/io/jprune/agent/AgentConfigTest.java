package io.jprune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSet;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Agent argument parsing: the documented syntax, and loud refusals of anything else. */
class AgentConfigTest {
  private static final String ACCEPTED =
      "accepted keys: packages, trace, dot, verbose, prune, "
          + "head-ratio, importance, ignore, global, round-to, steps, verify, at, output, load "
          + "(format: packages=a.b,c.d;trace=/tmp/t.json;dot=/tmp/t.dot;verbose=true)";

  @Test
  void parsesEveryKey() {
    AgentConfig c =
        AgentConfig.parse(
            "packages=com.acme.models, org.foo ;trace=/tmp/t.json;dot=/tmp/t.dot;verbose=true");
    assertEquals(ImmutableSet.of("com.acme.models", "org.foo"), c.packages());
    assertEquals(Optional.of(Path.of("/tmp/t.json")), c.traceFile());
    assertEquals(Optional.of(Path.of("/tmp/t.dot")), c.dotFile());
    assertTrue(c.verbose());
    assertTrue(c.records());
    assertEquals(c, AgentConfig.parse(c.toArgs()));
  }

  @Test
  void parsesThePruningKeys() {
    AgentConfig c =
        AgentConfig.parse(
            "packages=app;prune=0.5;head-ratio=0.25;importance=taylor;"
                + "ignore=fc3, head.out;global=true;round-to=8;steps=2;verify=true;at=forward:300;"
                + "output=/tmp/out");
    PruneSettings p = c.prune().orElseThrow();
    assertEquals(0.5, p.ratio());
    assertEquals(0.25, p.headRatio());
    assertEquals("taylor", p.importance());
    assertEquals(java.util.List.of("fc3", "head.out"), p.ignore());
    assertTrue(p.global());
    assertEquals(8, p.roundTo());
    assertEquals(2, p.steps());
    assertTrue(p.verify());
    assertEquals(Optional.of(300), p.atForward());
    assertEquals(Optional.of(Path.of("/tmp/out")), p.output());
    assertTrue(c.prunes());
    assertEquals(c, AgentConfig.parse(c.toArgs()));
    assertEquals(
        "packages=app;prune=0.5;head-ratio=0.25;importance=taylor;ignore=fc3,head.out;"
            + "global=true;round-to=8;steps=2;verify=true;at=forward:300;output=/tmp/out",
        c.toArgs());

    PruneSettings defaults = AgentConfig.parse("prune=0.3").prune().orElseThrow();
    assertEquals("prune=0.3;importance=l2;at=forward:1", defaults.toString());
    assertEquals(
        Optional.empty(), AgentConfig.parse("prune=0.3;at=exit").prune().orElseThrow().atForward());
    AgentConfig load = AgentConfig.parse("load=/tmp/pruned");
    assertEquals(Optional.of(Path.of("/tmp/pruned")), load.loadDir());
    assertTrue(load.prunes());
    assertFalse(AgentConfig.parse("trace=/tmp/t.json").prunes());
  }

  @Test
  void badPruningValuesNameTheKey() {
    assertEquals(
        "jprune agent argument 'at' needs prune=R in 'at=exit'",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("at=exit"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'prune' must be in [0, 1), got 1.0",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("prune=1"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'prune' must be a number, got 'half'",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("prune=half"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'at' must be forward:N or exit, got 'epoch:3'",
        assertThrows(
                IllegalArgumentException.class, () -> AgentConfig.parse("prune=0.5;at=epoch:3"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'at': forward:N needs N >= 1, got 0",
        assertThrows(
                IllegalArgumentException.class, () -> AgentConfig.parse("prune=0.5;at=forward:0"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'importance' must be one of "
            + "l1|l2|bn|lamp|taylor|hessian|fpgm|random, got 'l3'",
        assertThrows(
                IllegalArgumentException.class, () -> AgentConfig.parse("prune=0.5;importance=l3"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'steps' must be an integer, got 'two'",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("prune=0.5;steps=two"))
            .getMessage());
    assertEquals(
        "jprune agent arguments 'prune' and 'trace'/'dot' cannot be combined: both own"
            + " the call sites while they wait for the root forward",
        assertThrows(
                IllegalArgumentException.class,
                () -> AgentConfig.parse("prune=0.5;trace=/tmp/t.json"))
            .getMessage());
  }

  @Test
  void emptyArgumentsAreTheDefaults() {
    assertEquals(AgentConfig.defaults(), AgentConfig.parse(null));
    assertEquals(AgentConfig.defaults(), AgentConfig.parse(" "));
    assertEquals(AgentConfig.defaults(), AgentConfig.parse(";;"));
    assertFalse(AgentConfig.defaults().records());
    assertEquals("", AgentConfig.defaults().toArgs());
  }

  @Test
  void unknownKeyListsTheAcceptedKeys() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AgentConfig.parse("packages=a.b;trace-file=/tmp/x"));
    assertEquals(
        "unknown jprune agent argument 'trace-file' in 'packages=a.b;trace-file=/tmp/x'; "
            + ACCEPTED,
        e.getMessage());
  }

  @Test
  void entryWithoutEqualsIsMalformed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("com.acme.models"));
    assertEquals(
        "malformed jprune agent argument 'com.acme.models' in 'com.acme.models': "
            + "expected key=value; "
            + ACCEPTED,
        e.getMessage());
  }

  @Test
  void duplicateKeyIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AgentConfig.parse("verbose=true;verbose=false"));
    assertEquals(
        "duplicate jprune agent argument 'verbose' in 'verbose=true;verbose=false'; " + ACCEPTED,
        e.getMessage());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals(
        "jprune agent argument 'verbose' must be true or false, got 'yes'",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("verbose=yes"))
            .getMessage());
    assertEquals(
        "jprune agent argument 'trace' needs a file path",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("trace="))
            .getMessage());
    assertEquals(
        "'com.1acme' is not a Java package name (jprune agent argument 'packages')",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("packages=com.1acme"))
            .getMessage());
  }

  @Test
  void infrastructurePackagesAreRefused() {
    for (String p : new String[] {"org.bytedeco.pytorch", "java.util", "io.jprune.tracer"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> AgentConfig.builder().addPackage(p));
      assertTrue(
          e.getMessage().startsWith("package '" + p + "' is never instrumented: "), e.getMessage());
    }
    assertEquals(
        ImmutableSet.of("io.jprune.zoo", "io.jprune"),
        AgentConfig.builder()
            .addPackage("io.jprune.zoo")
            .addPackage("io.jprune")
            .build()
            .packages());
  }

  @Test
  void builderIsFluentAndImmutable() {
    AgentConfig.Builder b =
        AgentConfig.builder()
            .addPackageOf(io.jprune.testmodels.Net.class)
            .traceFile(Path.of("t.json"));
    AgentConfig first = b.build();
    AgentConfig second = first.toBuilder().verbose(true).build();
    assertEquals(ImmutableSet.of("io.jprune.testmodels"), first.packages());
    assertFalse(first.verbose());
    assertTrue(second.verbose());
    assertEquals("packages=io.jprune.testmodels;trace=t.json;verbose=true", second.toArgs());
  }
}
