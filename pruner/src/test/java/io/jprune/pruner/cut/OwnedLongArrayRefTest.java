package io.jprune.pruner.cut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.bytedeco.pytorch.LongArrayRef;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class OwnedLongArrayRefTest {
  @Test
  void elementsOutliveTheArrayAndCollections() {
    LongArrayRef ref = OwnedLongArrayRef.of(new long[] {2, 3, 4});
    // Fill the heap the JNI copy lived on, then collect: an unowned ref would read garbage here.
    for (int i = 0; i < 1000; i++) {
      OwnedLongArrayRef.of(new long[] {-1, -1, -1});
    }
    System.gc();
    assertArrayEquals(new long[] {2, 3, 4}, ref.vec().get());
    Tensor t = torch.arange(new org.bytedeco.pytorch.Scalar(24)).reshape(ref);
    assertArrayEquals(new long[] {2, 3, 4}, new long[] {t.size(0), t.size(1), t.size(2)});
  }
}
