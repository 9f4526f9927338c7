package io.jprune.nativeconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class InferenceTest {

  @Test
  void loadAppliesTheForwardDefaults() {
    RuntimeInfo info = Libtorch.load();
    assertTrue(info.mkldnnEnabled(), info.summary());
    assertTrue(info.freedMemoryKept(), info.summary());
    assertTrue(info.summary().endsWith("mkldnn=true, freed memory kept=true"), info.summary());
  }

  @Test
  void freesTheTemporariesAndKeepsTheOutput() {
    Libtorch.load();
    Tensor x = torch.arange(new Scalar(6)).to(torch.ScalarType.Float);
    boolean[] inferenceInside = new boolean[1];
    List<Tensor> temporaries = new ArrayList<>();
    Tensor y =
        Inference.run(
            () -> {
              inferenceInside[0] = InferenceMode.is_enabled();
              Tensor h = x.mul(new Scalar(2));
              for (int i = 0; i < 9; i++) {
                temporaries.add(h);
                h = h.add(new Scalar(1));
              }
              temporaries.add(h);
              return h.sum();
            });
    assertEquals(10, temporaries.size());
    for (Tensor t : temporaries) {
      assertTrue(t.isNull(), "a temporary outlived the forward");
    }
    assertFalse(x.isNull(), "the input was created outside and stays");
    assertTrue(inferenceInside[0]);
    assertFalse(InferenceMode.is_enabled());
    assertTrue(y.is_inference());
    System.gc(); // the output does not depend on the freed intermediates
    assertEquals(2 * 15 + 6 * 9, y.item_float(), 0f);
  }

  @Test
  void aRepeatedForwardReusesFreedMemory() throws IOException {
    Libtorch.load();
    // eight conv + relu + residual steps on [1,32,112,112]: 25 MB of intermediates per forward
    Tensor x = torch.randn(1, 32, 112, 112);
    Tensor w = torch.randn(32, 32, 3, 3).div(new Scalar(100));
    Supplier<Tensor> forward =
        () -> {
          Tensor h = x;
          for (int i = 0; i < 8; i++) {
            Tensor conv =
                torch.conv2d(
                    h,
                    w,
                    new TensorOptional(),
                    new long[] {1, 1},
                    new long[] {1, 1},
                    new long[] {1, 1},
                    1);
            h = torch.relu(conv).add(h);
          }
          return h.sum();
        };
    int threads = Libtorch.info().intraOpThreads();
    Libtorch.setIntraOpThreads(1); // every page is touched by this thread, whose faults we count
    try {
      for (int i = 0; i < 5; i++) {
        Inference.run(forward);
      }
      long faults = minorFaultsOfThisThread();
      Inference.run(forward);
      long mb = (minorFaultsOfThisThread() - faults) * 4096 / (1 << 20);
      // without the scope every such forward faults in 44-49 MB of fresh pages; with it 0 MB as
      // a rule, up to 9 MB seen after other tests left glibc's heaps fragmented
      assertTrue(mb < 16, "a repeated forward faulted in " + mb + " MB of fresh pages");
    } finally {
      Libtorch.setIntraOpThreads(threads);
    }
  }

  @Test
  void namesANullOutput() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> Inference.run(() -> null));
    assertEquals("the forward returned null", e.getMessage());
  }

  /** Field 10 of /proc/thread-self/stat: this thread's minor page faults. */
  private static long minorFaultsOfThisThread() throws IOException {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
  }
}
