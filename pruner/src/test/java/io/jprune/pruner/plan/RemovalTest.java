package io.jprune.pruner.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSortedSet;
import com.google.common.primitives.ImmutableLongArray;
import org.junit.jupiter.api.Test;

/** The removal value type: sorted, distinct, immutable, and refusing what no group could mean. */
class RemovalTest {

  @Test
  void channelsAreSortedAndDistinct() {
    Removal r = Removal.of(3, 5, 1, 5, 0);
    assertEquals(ImmutableLongArray.of(0, 1, 5), r.removed(3));
    assertEquals(3, r.channelCount());
    assertEquals(ImmutableSortedSet.of(3), r.groups());
  }

  @Test
  void groupsAreOrderedByIdAndEmptyOnesDropOut() {
    Removal r = Removal.builder().put(7, 2).put(2, 4, 3).put(5).build();
    assertEquals(ImmutableSortedSet.of(2, 7), r.groups());
    assertEquals(ImmutableLongArray.of(), r.removed(5));
    assertEquals("Removal{2=[3, 4], 7=[2]}", r.toString());
  }

  @Test
  void equalRemovalsAreEqualWhateverTheOrderGiven() {
    Removal a = Removal.builder().put(1, 3, 2).put(0, 9).build();
    Removal b = Removal.builder().put(0, 9).put(1, 2, 3, 3).build();
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Removal.of(1, 2, 3));
  }

  @Test
  void nothingIsOneValue() {
    assertSame(Removal.none(), Removal.builder().put(4).build());
    assertTrue(Removal.none().isEmpty());
    assertEquals(0, Removal.none().channelCount());
  }

  @Test
  void keptIsTheComplement() {
    Removal r = Removal.of(0, 1, 4);
    assertEquals(ImmutableLongArray.of(0, 2, 3, 5), r.kept(0, 6));
    assertEquals(ImmutableLongArray.of(0, 1, 2), r.kept(9, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.kept(0, 4));
    assertEquals("channel 4 of group 0 is out of range for a group of 4 channels", e.getMessage());
  }

  @Test
  void filterKeepsTheChannelsThatPass() {
    Removal r = Removal.builder().put(0, 1, 2, 3).put(1, 5).build();
    assertEquals(Removal.of(0, 1, 3), r.filter((group, c) -> c % 2 == 1 && group == 0));
  }

  @Test
  void aNegativeChannelIsRefusedNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Removal.of(2, 4, -1));
    assertEquals("channel -1 of group 2 is negative", e.getMessage());
  }

  @Test
  void aNegativeGroupIsRefusedNamingIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Removal.of(-3, 0));
    assertEquals("group id -3 is negative", e.getMessage());
  }

  @Test
  void aGroupGivenTwiceIsRefusedNamingIt() {
    Removal.Builder b = Removal.builder().put(6, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.put(6, 2));
    assertEquals("group 6 is given twice in one removal", e.getMessage());
  }
}
