package io.jprune.pruner.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bytedeco.pytorch.AbstractTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The measurement of a step that cannot be proven, on outputs worked out by hand. */
class OutputAgreementTest {
  private static Tensor rows(float[] values, long rows) {
    return AbstractTensor.create(values, rows, values.length / rows);
  }

  @Test
  void identicalOutputsAgreeFully() {
    Tensor a = rows(new float[] {1, 2, 3, 4, 0, -1}, 2);
    OutputAgreement m = OutputAgreement.measure(List.of(a), List.of(a.clone()));
    assertEquals(new OutputAgreement(1, 2, 2, 0.0), m);
    assertEquals("rel. output error 0.00, top-1 agreement 2/2 (100.0%) over 1 input", m.toString());
  }

  @Test
  void countsRowsWhoseLargestEntryMovedAndTheEuclideanError() {
    // row 0: argmax 2 -> 2 (agrees), row 1: argmax 0 -> 1 (moved); second input: 0 -> 0
    Tensor u1 = rows(new float[] {1, 2, 3, 4, 0, -1}, 2);
    Tensor p1 = rows(new float[] {1, 2, 3, 4, 5, -1}, 2);
    Tensor u2 = rows(new float[] {4, 0, 0, 3}, 1);
    Tensor p2 = rows(new float[] {4, 0, 0, 0}, 1);
    OutputAgreement m = OutputAgreement.measure(List.of(u1, u2), List.of(p1, p2));
    assertEquals(2, m.inputs());
    assertEquals(3, m.rows());
    assertEquals(2, m.top1Agreeing());
    // ||p - u|| = sqrt(5^2 + 3^2), ||u|| = sqrt(1 + 4 + 9 + 16 + 0 + 1 + 16 + 9)
    assertEquals(Math.sqrt(34.0 / 56.0), m.relativeError(), 1e-12);
    assertEquals(2.0 / 3.0, m.top1(), 1e-12);
  }

  @Test
  void refusesOutputsOfAnotherShape() {
    Tensor u = torch.zeros(2, 3);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OutputAgreement.measure(List.of(u), List.of(torch.zeros(3, 2))));
    assertEquals("output 0 has shape [2, 3] unpruned but [3, 2] pruned", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> OutputAgreement.measure(List.of(u), List.of()));
    assertEquals("1 unpruned outputs for 0 pruned ones", e.getMessage());
  }
}
