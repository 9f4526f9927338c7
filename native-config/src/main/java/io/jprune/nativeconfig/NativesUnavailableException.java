package io.jprune.nativeconfig;

/** libtorch could not be loaded: missing native jar, unsupported platform, or a broken cache. */
public final class NativesUnavailableException extends RuntimeException {
  NativesUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
