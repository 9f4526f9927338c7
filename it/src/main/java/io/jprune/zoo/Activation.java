package io.jprune.zoo;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLU6Impl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SiLUImpl;

/** The activation module a {@link ConvBnAct} registers as {@code act}. */
enum Activation {
  RELU,
  RELU6,
  SILU;

  Module create() {
    return switch (this) {
      case RELU -> new ReLUImpl();
      case RELU6 -> new ReLU6Impl();
      case SILU -> new SiLUImpl();
    };
  }
}
