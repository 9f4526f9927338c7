package io.jprune.pruner.importance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Half and bfloat16 weights are summed in float; float and double stay as they are. */
class HostVectorsTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"Half, Float", "BFloat16, Float", "Float, Float", "Double, Double"})
  void lowPrecisionIsWidenedToFloat(String from, String to) {
    Tensor t = torch.randn(3).to(torch.ScalarType.valueOf(from));
    assertEquals(
        torch.ScalarType.valueOf(to).value, HostVectors.widen(t).scalar_type().value, from);
  }
}
