package io.jprune.pruner.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** One index tensor per (size, removed indices) in a surgery, shared by every cut alike. */
class KeptIndicesTest {
  private static final Device CPU = new Device("cpu");

  private static long[] values(Tensor t) {
    long[] out = new long[(int) t.numel()];
    new LongPointer(t.contiguous().data_ptr_long()).capacity(out.length).get(out);
    return out;
  }

  @Test
  void theKeptIndicesAreEveryIndexNotRemoved() {
    Tensor t = new KeptIndices().of(6, ImmutableLongArray.of(1, 4), CPU);
    assertArrayEquals(new long[] {0, 2, 3, 5}, values(t));
    assertEquals(torch.ScalarType.Long.value, t.scalar_type().value);
  }

  @Test
  void equalCutsShareOneIndexTensorAndOthersGetTheirOwn() {
    KeptIndices indices = new KeptIndices();
    Tensor a = indices.of(8, ImmutableLongArray.of(0, 3), CPU);
    assertSame(a, indices.of(8, ImmutableLongArray.copyOf(new long[] {0, 3}), CPU));
    assertNotSame(a, indices.of(9, ImmutableLongArray.of(0, 3), CPU));
    assertNotSame(a, indices.of(8, ImmutableLongArray.of(0, 4), CPU));
    assertEquals(3, indices.size());
  }

  @Test
  void aConvRowCutAndTheNextConvsColumnCutReadTheSameIndices() {
    // conv [4,3,3,3] loses rows 1 and 2; its BN [4] and the next conv's columns [5,4,1,1] alike
    KeptIndices indices = new KeptIndices();
    ImmutableLongArray removed = ImmutableLongArray.of(1, 2);
    Tensor conv = torch.randn(4, 3, 3, 3);
    Tensor bn = torch.randn(4);
    Tensor next = torch.randn(5, 4, 1, 1);
    Tensor convCut = Surgery.cut(conv, cut("conv.weight", conv, 0, removed), indices);
    Tensor bnCut = Surgery.cut(bn, cut("bn.weight", bn, 0, removed), indices);
    Tensor nextCut = Surgery.cut(next, cut("next.weight", next, 1, removed), indices);
    assertEquals(1, indices.size());
    Tensor keep = IndexTensor.of(new long[] {0, 3}, CPU);
    assertTrue(torch.equal(conv.index_select(0, keep), convCut));
    assertTrue(torch.equal(bn.index_select(0, keep), bnCut));
    assertTrue(torch.equal(next.index_select(1, keep), nextCut));
  }

  private static ParamCut cut(String name, Tensor t, int dim, ImmutableLongArray removed) {
    return new ParamCut(
        name,
        ImmutableLongArray.copyOf(t.shape()),
        ImmutableMap.of(dim, removed),
        ImmutableMap.of());
  }
}
