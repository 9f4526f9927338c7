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
  private static final String ACCEPTED = "accepted keys: packages, trace, dot, verbose "
      + "(format: packages=a.b,c.d;trace=/tmp/t.json;dot=/tmp/t.dot;verbose=true)";

  @Test
  void parsesEveryKey() {
    AgentConfig c = AgentConfig.parse(
        "packages=com.acme.models, org.foo ;trace=/tmp/t.json;dot=/tmp/t.dot;verbose=true");
    assertEquals(ImmutableSet.of("com.acme.models", "org.foo"), c.packages());
    assertEquals(Optional.of(Path.of("/tmp/t.json")), c.traceFile());
    assertEquals(Optional.of(Path.of("/tmp/t.dot")), c.dotFile());
    assertTrue(c.verbose());
    assertTrue(c.records());
    assertEquals(c, AgentConfig.parse(c.toArgs()));
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
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.parse("packages=a.b;trace-file=/tmp/x"));
    assertEquals("unknown jprune agent argument 'trace-file' in 'packages=a.b;trace-file=/tmp/x'; "
        + ACCEPTED, e.getMessage());
  }

  @Test
  void entryWithoutEqualsIsMalformed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.parse("com.acme.models"));
    assertEquals("malformed jprune agent argument 'com.acme.models' in 'com.acme.models': "
        + "expected key=value; " + ACCEPTED, e.getMessage());
  }

  @Test
  void duplicateKeyIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentConfig.parse("verbose=true;verbose=false"));
    assertEquals("duplicate jprune agent argument 'verbose' in 'verbose=true;verbose=false'; "
        + ACCEPTED, e.getMessage());
  }

  @Test
  void badValuesNameTheKey() {
    assertEquals("jprune agent argument 'verbose' must be true or false, got 'yes'",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("verbose=yes"))
            .getMessage());
    assertEquals("jprune agent argument 'trace' needs a file path",
        assertThrows(IllegalArgumentException.class, () -> AgentConfig.parse("trace="))
            .getMessage());
    assertEquals("'com.1acme' is not a Java package name (jprune agent argument 'packages')",
        assertThrows(IllegalArgumentException.class,
            () -> AgentConfig.parse("packages=com.1acme")).getMessage());
  }

  @Test
  void infrastructurePackagesAreRefused() {
    for (String p : new String[] {"org.bytedeco.pytorch", "java.util", "io.jprune.tracer"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> AgentConfig.builder().addPackage(p));
      assertTrue(e.getMessage().startsWith("package '" + p + "' is never instrumented: "),
          e.getMessage());
    }
    assertEquals(ImmutableSet.of("io.jprune.zoo", "io.jprune"),
        AgentConfig.builder().addPackage("io.jprune.zoo").addPackage("io.jprune").build()
            .packages());
  }

  @Test
  void builderIsFluentAndImmutable() {
    AgentConfig.Builder b = AgentConfig.builder().addPackageOf(io.jprune.testmodels.Net.class)
        .traceFile(Path.of("t.json"));
    AgentConfig first = b.build();
    AgentConfig second = first.toBuilder().verbose(true).build();
    assertEquals(ImmutableSet.of("io.jprune.testmodels"), first.packages());
    assertFalse(first.verbose());
    assertTrue(second.verbose());
    assertEquals("packages=io.jprune.testmodels;trace=t.json;verbose=true", second.toArgs());
  }
}
