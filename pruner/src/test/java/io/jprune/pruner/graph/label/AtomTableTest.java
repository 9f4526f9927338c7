package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AtomTableTest {
  @Test
  void unionKeepsFixedAsRepresentativeAndMergesReasons() {
    AtomTable t = new AtomTable();
    int a = t.fresh();
    int b = t.fresh();
    int c = t.fresh();
    t.markInexact(b, "LayerNorm norm1 normalises across channels");
    t.union(a, b);
    assertEquals(t.find(a), t.find(b));
    assertEquals("LayerNorm norm1 normalises across channels", t.inexactReason(a));
    assertNull(t.inexactReason(c));
    assertFalse(t.isFixed(a));
    t.fix(c);
    t.union(c, a);
    assertTrue(t.isFixed(b));
    assertEquals(AtomTable.FIXED, t.find(a));
    assertEquals(AtomTable.DERIVED, t.find(AtomTable.DERIVED));
  }
}
