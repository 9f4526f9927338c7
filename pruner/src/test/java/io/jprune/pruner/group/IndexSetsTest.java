package io.jprune.pruner.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IndexSetsTest {
  @Test
  void singletonsUntilJoined() {
    IndexSets sets = new IndexSets(3);
    assertEquals(3, sets.count());
    assertEquals(2, sets.find(2));
  }

  @Test
  void rootIsTheSmallestMemberWhicheverWayJoined() {
    IndexSets sets = new IndexSets(6);
    sets.union(5, 3);
    sets.union(3, 4);
    sets.union(4, 1);
    assertEquals(1, sets.find(5));
    assertEquals(1, sets.find(3));
    assertEquals(3, sets.count()); // {0}, {1,3,4,5}, {2}
  }

  @Test
  void setsComeInOrderOfSmallestMemberEachInIndexOrder() {
    IndexSets sets = new IndexSets(7);
    sets.union(6, 2);
    sets.union(5, 0);
    sets.union(2, 4);
    List<int[]> all = sets.sets();
    assertEquals(4, all.size());
    assertArrayEquals(new int[] {0, 5}, all.get(0));
    assertArrayEquals(new int[] {1}, all.get(1));
    assertArrayEquals(new int[] {2, 4, 6}, all.get(2));
    assertArrayEquals(new int[] {3}, all.get(3));
  }
}
