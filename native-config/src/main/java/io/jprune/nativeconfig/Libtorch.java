package io.jprune.nativeconfig;

import com.google.common.base.Preconditions;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * The one place that loads libtorch and configures it: versions, threads and device selection.
 *
 * <p>Loading is idempotent and thread-safe; every jprune entry point calls {@link #load()} first so
 * that a missing native jar fails with a message that says what to add, instead of a bare {@link
 * UnsatisfiedLinkError} from the first tensor op.
 *
 * <p>Loading also applies the defaults measured fastest for a forward in the JVM: glibc keeps the
 * memory a forward frees ({@link NativeMemory}) and oneDNN (mkldnn) kernels stay on (off, a
 * MobileNetV2 forward takes about twice the time). Use {@link Inference#run} for the forward.
 */
public final class Libtorch {
  private static final String SUPPORTED = "linux-x86_64 (CPU), linux-x86_64-gpu (CUDA profile)";
  private static volatile RuntimeInfo loaded;
  private static boolean freedMemoryKept;

  private Libtorch() {}

  /** Loads the natives once and returns what libtorch reports. */
  public static RuntimeInfo load() {
    RuntimeInfo info = loaded;
    if (info != null) {
      return info;
    }
    synchronized (Libtorch.class) {
      if (loaded == null) {
        loaded = loadNatives();
      }
      return loaded;
    }
  }

  private static RuntimeInfo loadNatives() {
    String platform = Loader.getPlatform();
    try {
      Loader.load(torch.class);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      throw new NativesUnavailableException(
          "libtorch natives could not be loaded for platform '"
              + platform
              + "' (supported: "
              + SUPPORTED
              + "). Add org.bytedeco:pytorch-platform:2.10.0-1.5.13 with "
              + "-Djavacpp.platform="
              + platform
              + " to the classpath, or clear ~/.javacpp/cache "
              + "if it is corrupt. Cause: "
              + e,
          e);
    }
    freedMemoryKept = NativeMemory.keepFreedMemory();
    torch.globalContext().setUserEnabledMkldnn(true);
    return snapshot(platform);
  }

  private static RuntimeInfo snapshot(String platform) {
    boolean cuda = torch.cuda_is_available();
    return new RuntimeInfo(
        mavenVersion("javacpp"),
        mavenVersion("pytorch"),
        platform,
        torch.get_num_threads(),
        torch.get_num_interop_threads(),
        cuda,
        cuda ? torch.cuda_device_count() : 0,
        torch.hasMKLDNN() && torch.globalContext().userEnabledMkldnn(),
        freedMemoryKept);
  }

  /** Version from the jar's pom.properties; "unknown" for a repackaged (e.g. shaded) jar. */
  private static String mavenVersion(String artifactId) {
    try {
      String v = Loader.getVersion("org.bytedeco", artifactId);
      return v == null ? "unknown" : v;
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** Current view of threads and devices (versions are fixed after {@link #load()}). */
  public static RuntimeInfo info() {
    load();
    return snapshot(Loader.getPlatform());
  }

  /**
   * Sets libtorch's intra-op thread count (the pool that parallelises one op).
   *
   * @throws IllegalArgumentException when {@code threads < 1}
   */
  public static void setIntraOpThreads(int threads) {
    Preconditions.checkArgument(threads >= 1, "intra-op threads must be >= 1, got %s", threads);
    load();
    torch.set_num_threads(threads);
  }

  /**
   * Turns a preference into a libtorch device.
   *
   * @throws IllegalStateException when CUDA is required but libtorch sees no CUDA device
   */
  public static Device selectDevice(DevicePreference preference) {
    RuntimeInfo info = load();
    switch (preference) {
      case CPU:
        return new Device("cpu");
      case CUDA:
        if (!info.cudaAvailable()) {
          throw new IllegalStateException(
              "CUDA was requested but libtorch sees no CUDA device (platform "
                  + info.platform()
                  + "): build with -Pcuda for the linux-x86_64-gpu natives and check the driver");
        }
        return new Device("cuda:0");
      case AUTO:
      default:
        return new Device(info.cudaAvailable() ? "cuda:0" : "cpu");
    }
  }

  /** Prints the runtime summary; handy as a smoke test of an installation. */
  public static void main(String[] args) {
    System.out.println(load().summary());
  }
}
