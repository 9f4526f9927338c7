package io.jprune.pruner.surgery;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** int64 index tensors for index_select / index_fill_, made on the target tensor's device. */
final class IndexTensor {
  private IndexTensor() {}

  static Tensor of(long[] indices, Device device) {
    Tensor cpu = torch.zeros(new long[] {indices.length}, new TensorOptions(torch.ScalarType.Long));
    if (indices.length > 0) {
      new LongPointer(cpu.data_ptr_long()).capacity(indices.length).put(indices);
    }
    return device.is_cpu() ? cpu : cpu.to(device, torch.ScalarType.Long);
  }

  /** Indices of [0, size) not in {@code removed} (sorted). */
  static long[] kept(long size, long[] removedSorted) {
    long[] keep = new long[(int) size - removedSorted.length];
    int r = 0;
    int k = 0;
    for (long i = 0; i < size; i++) {
      if (r < removedSorted.length && removedSorted[r] == i) {
        r++;
      } else {
        keep[k++] = i;
      }
    }
    return keep;
  }
}
