package io.jprune.nativeconfig;

/**
 * Which device the user asks for; {@link Libtorch#selectDevice} turns it into a libtorch device.
 */
public enum DevicePreference {
  /** CUDA when a CUDA device is visible, CPU otherwise. */
  AUTO,
  CPU,
  /** CUDA or fail: a silent CPU fallback would hide a missing -gpu native jar. */
  CUDA;

  /** Parses {@code auto}, {@code cpu} or {@code cuda} (case-insensitive), naming the bad value. */
  public static DevicePreference parse(String text) {
    for (DevicePreference p : values()) {
      if (p.name().equalsIgnoreCase(text.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Unknown device '" + text + "': expected one of auto, cpu, cuda");
  }
}
