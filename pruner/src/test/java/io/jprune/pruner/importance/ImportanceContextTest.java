package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalInt;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The context's lookups and builder. */
class ImportanceContextTest {

  @Test
  void builderAndLookups() {
    Tensor w = AbstractTensor.create(new double[] {1, 2}, 2);
    Tensor g = AbstractTensor.create(new double[] {3, 4}, 2);
    ImportanceContext ctx =
        ImportanceContext.builder(Map.of("l.weight", w))
            .gradients(Map.of("l.weight", g))
            .hessianDiagonal(Map.of())
            .convGroups("c.weight", 4)
            .build();
    assertTrue(ctx.contains("l.weight"));
    assertFalse(ctx.contains("l.bias"));
    assertEquals(1, ctx.tensors().size());
    assertTrue(ctx.gradient("l.weight").isPresent());
    assertTrue(ctx.hessianDiagonal("l.weight").isEmpty());
    assertEquals(OptionalInt.of(4), ctx.convGroups("c.weight"));
    assertEquals(OptionalInt.empty(), ctx.convGroups("l.weight"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ctx.tensor("l.bias"));
    assertTrue(e.getMessage().contains("'l.bias'"));
    assertThrows(UnsupportedOperationException.class, () -> ctx.tensors().clear());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImportanceContext.builder(Map.of()).convGroups("c.weight", 0));
    assertTrue(e.getMessage().contains("c.weight"));
    ImportanceContext plain = new ImportanceContext(Map.of(), null, null);
    assertTrue(plain.gradient("x").isEmpty() && plain.hessianDiagonal("x").isEmpty());
  }
}
