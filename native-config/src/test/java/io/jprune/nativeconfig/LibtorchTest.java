package io.jprune.nativeconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;

class LibtorchTest {

  @Test
  void loadsOnceAndReportsPlatformAndVersion() {
    RuntimeInfo first = Libtorch.load();
    assertSame(first, Libtorch.load());
    assertEquals("linux-x86_64", first.platform());
    assertEquals("1.5.13", first.javacppVersion());
    assertTrue(first.intraOpThreads() >= 1, first.summary());
    assertTrue(first.summary().startsWith("libtorch "), first.summary());
  }

  @Test
  void setsIntraOpThreads() {
    int before = Libtorch.info().intraOpThreads();
    try {
      Libtorch.setIntraOpThreads(1);
      assertEquals(1, Libtorch.info().intraOpThreads());
    } finally {
      Libtorch.setIntraOpThreads(before);
    }
  }

  @Test
  void rejectsZeroThreads() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Libtorch.setIntraOpThreads(0));
    assertEquals("intra-op threads must be >= 1, got 0", e.getMessage());
  }

  @Test
  void cpuAndAutoSelectCpuWithoutCuda() {
    if (Libtorch.load().cudaAvailable()) {
      return; // this assertion is about machines without a GPU (CI)
    }
    Device cpu = Libtorch.selectDevice(DevicePreference.CPU);
    assertFalse(cpu.is_cuda());
    assertFalse(Libtorch.selectDevice(DevicePreference.AUTO).is_cuda());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> Libtorch.selectDevice(DevicePreference.CUDA));
    assertTrue(
        e.getMessage().startsWith("CUDA was requested but libtorch sees no CUDA device"),
        e.getMessage());
  }

  @Test
  void parsesPreferenceAndNamesBadValue() {
    assertEquals(DevicePreference.CUDA, DevicePreference.parse(" Cuda "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DevicePreference.parse("tpu"));
    assertEquals("Unknown device 'tpu': expected one of auto, cpu, cuda", e.getMessage());
  }
}
