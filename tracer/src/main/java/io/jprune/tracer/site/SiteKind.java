package io.jprune.tracer.site;

/** What a rewritten call site calls. */
public enum SiteKind {
  /** A non-static method of {@code org.bytedeco.pytorch.Tensor}/{@code TensorBase}. */
  TENSOR_METHOD,
  /** A static method of {@code org.bytedeco.pytorch.global.torch}. */
  TORCH_STATIC,
  /** {@code forward} of a {@code org.bytedeco.pytorch.Module} subtype (built-in or Java). */
  MODULE_FORWARD
}
