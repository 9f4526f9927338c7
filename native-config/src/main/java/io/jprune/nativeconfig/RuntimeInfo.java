package io.jprune.nativeconfig;

/**
 * What the loaded libtorch reports about itself and the machine.
 *
 * @param javacppVersion version of the JavaCPP runtime (from its jar)
 * @param presetsVersion version of the pytorch presets jar, e.g. {@code 2.10.0-1.5.13}
 * @param platform JavaCPP platform the natives were loaded for, e.g. {@code linux-x86_64}
 * @param intraOpThreads libtorch intra-op threads in force
 * @param interOpThreads libtorch inter-op threads in force
 * @param cudaAvailable whether libtorch sees a usable CUDA runtime and device
 * @param cudaDeviceCount number of CUDA devices libtorch sees
 * @param mkldnnEnabled whether libtorch has oneDNN (mkldnn) kernels and uses them
 * @param freedMemoryKept whether loading raised glibc's thresholds so that freed forward memory is
 *     reused (see {@link Inference})
 */
public record RuntimeInfo(
    String javacppVersion,
    String presetsVersion,
    String platform,
    int intraOpThreads,
    long interOpThreads,
    boolean cudaAvailable,
    int cudaDeviceCount,
    boolean mkldnnEnabled,
    boolean freedMemoryKept) {

  /** One line for logs and the CLI banner. */
  public String summary() {
    return String.format(
        "libtorch %s (javacpp %s, %s), threads intra=%d inter=%d, cuda=%s devices=%d, mkldnn=%s,"
            + " freed memory kept=%s",
        presetsVersion,
        javacppVersion,
        platform,
        intraOpThreads,
        interOpThreads,
        cudaAvailable,
        cudaDeviceCount,
        mkldnnEnabled,
        freedMemoryKept);
  }
}
