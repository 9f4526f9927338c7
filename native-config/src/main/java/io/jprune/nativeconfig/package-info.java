/**
 * Loading libtorch and choosing how it runs: {@link io.jprune.nativeconfig.Libtorch} loads the
 * natives once with jprune's defaults (oneDNN on, freed memory kept by glibc), {@link
 * io.jprune.nativeconfig.DevicePreference} picks CPU or CUDA, {@link
 * io.jprune.nativeconfig.Inference} runs a forward with every temporary freed on return, and {@link
 * io.jprune.nativeconfig.RuntimeInfo} reports what was loaded and applied.
 *
 * <p>Every other module loads libtorch through here, so the defaults are applied in one place.
 */
package io.jprune.nativeconfig;
