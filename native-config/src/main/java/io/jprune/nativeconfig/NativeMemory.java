package io.jprune.nativeconfig;

import org.bytedeco.javacpp.Pointer;

/**
 * Makes glibc keep the memory a forward frees, so that the next forward reuses it instead of
 * faulting in fresh pages.
 *
 * <p>Why: a JVM frees a forward's intermediates in bulk (at the end of a {@code PointerScope}, or
 * when the collector finds their Java peers), not one by one as Python's reference counting does.
 * glibc's default thresholds start at 128 KiB and only creep up as large chunks are freed, so for
 * the first forwards it hands a bulk free back to the kernel (munmap, trim) and the next forward
 * takes a minor fault on every page again: measured on MobileNetV2 (one thread), 20-75 MB of fresh
 * pages and about half of the forward's CPU time. Freeing one mmapped chunk just under 32 MiB (the
 * cap of glibc's dynamic threshold) raises the mmap threshold to 32 MiB and the trim threshold to
 * 64 MiB at once, as {@code MALLOC_MMAP_THRESHOLD_}/{@code MALLOC_TRIM_THRESHOLD_} would, but
 * without an environment variable (which must be set before the JVM starts).
 *
 * <p>Harmless elsewhere: on a C library without these heuristics it is one malloc and one free.
 */
final class NativeMemory {
  /** glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit, minus room for the chunk header. */
  static final long SETTLING_CHUNK_BYTES = (32L << 20) - (64L << 10);

  private NativeMemory() {}

  /** Raises glibc's dynamic mmap and trim thresholds; returns whether the chunk was allocated. */
  static boolean keepFreedMemory() {
    Pointer chunk = Pointer.malloc(SETTLING_CHUNK_BYTES);
    if (chunk == null || chunk.isNull()) {
      return false;
    }
    Pointer.free(chunk);
    return true;
  }
}
