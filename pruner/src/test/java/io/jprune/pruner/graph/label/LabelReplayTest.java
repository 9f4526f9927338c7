package io.jprune.pruner.graph.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.importance.Importances;
import io.jprune.rulenets.ConvOps;
import io.jprune.rulenets.ConvPair;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LabelReplay} on the layout op of a traced {@link ConvPair}: a replay on given values moves
 * each value exactly as the replay on positions says its element moves.
 */
class LabelReplayTest {
  static Stream<Arguments> layoutOps() {
    return Stream.of(
        Arguments.of(ConvOps.PIXEL_SHUFFLE, "pixel_shuffle"),
        Arguments.of(ConvOps.CHUNK, "chunk"),
        Arguments.of(ConvOps.SPLIT_SIZES, "split_with_sizes"),
        Arguments.of(ConvOps.NARROW, "narrow"),
        Arguments.of(ConvOps.SELECT, "select"),
        Arguments.of(ConvOps.RESHAPE_GROUPS, "reshape"),
        Arguments.of(ConvOps.CAT, "cat"),
        Arguments.of(ConvOps.PERMUTE, "permute"));
  }

  private static TracedCall traced(ConvOps op, String name) {
    Pruner p =
        Pruner.builder(ConvPair.of(op))
            .exampleInput(ConvPair.input())
            .importance(Importances.magnitude(2))
            .build();
    return p.graph().trace().callsTo(name).get(0);
  }

  private static List<long[]> shapes(TracedCall call) {
    List<long[]> shapes = new ArrayList<>();
    for (TensorRef t : call.tensorInputs()) {
      shapes.add(t.shape().toArray());
    }
    return shapes;
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("layoutOps")
  void valuesMoveAsPositionsDo(ConvOps op, String name) {
    TracedCall call = traced(op, name);
    LabelReplay.Labels byPosition = LabelReplay.replay(call);
    List<int[]> values = new ArrayList<>();
    int joint = 0;
    for (long[] s : shapes(call)) {
      int[] v = new int[new Shape(s).numel()];
      for (int i = 0; i < v.length; i++) {
        v[i] = valueAt(joint++);
      }
      values.add(v);
    }
    LabelReplay.Labels byValue = LabelReplay.replay(call, shapes(call), values, call.args());
    assertEquals(byPosition.outputs().size(), byValue.outputs().size());
    for (int k = 0; k < byPosition.outputs().size(); k++) {
      int[] pos = byPosition.outputs().get(k);
      int[] expected = new int[pos.length];
      for (int j = 0; j < pos.length; j++) {
        expected[j] = valueAt(pos[j]);
      }
      assertArrayEquals(expected, byValue.outputs().get(k), "output " + k);
      assertArrayEquals(byPosition.outputShapes().get(k), byValue.outputShapes().get(k));
    }
  }

  /** Distinct, and unlike any position. */
  private static int valueAt(int jointPosition) {
    return 1_000_000 - 7 * jointPosition;
  }

  @Test
  void valuesMustCoverTheirInput() {
    TracedCall call = traced(ConvOps.PERMUTE, "permute");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LabelReplay.replay(call, shapes(call), List.of(new int[5]), call.args()));
    assertEquals("5 values for 128 elements", e.getMessage());
  }
}
