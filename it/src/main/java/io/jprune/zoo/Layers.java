package io.jprune.zoo;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.AdaptiveAvgPool2dImpl;
import org.bytedeco.pytorch.AvgPool2dImpl;
import org.bytedeco.pytorch.AvgPool2dOptions;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.ConvTranspose2dImpl;
import org.bytedeco.pytorch.ConvTranspose2dOptions;
import org.bytedeco.pytorch.GroupNormImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LayerNormOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.LongOptionalVector;
import org.bytedeco.pytorch.LongVector;
import org.bytedeco.pytorch.MaxPool2dImpl;
import org.bytedeco.pytorch.MaxPool2dOptions;
import org.bytedeco.pytorch.PixelShuffleImpl;
import org.bytedeco.pytorch.PixelShuffleOptions;

/**
 * PyTorch-style constructors for the built-in libtorch layers of the zoo. JavaCPP exposes layer
 * options as live native pointers ({@code o.groups().put(4)}), which buries the few arguments a
 * model definition cares about; these factories keep the model classes readable. Pairs are written
 * as {@code put(new long[] {a, b})}: {@code LongPointer.put(a, b)} means "element a = b".
 */
final class Layers {
  private Layers() {}

  /** {@code nn.Conv2d(in, out, kernel, stride, padding, groups=groups, bias=bias)}, square. */
  static Conv2dImpl conv2d(
      long in, long out, long kernel, long stride, long padding, long groups, boolean bias) {
    Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(kernel, kernel));
    o.stride().put(new long[] {stride, stride});
    o.padding().put(new LongPointer(padding, padding));
    o.groups().put(groups);
    o.bias().put(bias);
    return new Conv2dImpl(o);
  }

  /** {@code nn.Conv2d} without groups. */
  static Conv2dImpl conv2d(
      long in, long out, long kernel, long stride, long padding, boolean bias) {
    return conv2d(in, out, kernel, stride, padding, 1, bias);
  }

  /** {@code nn.ConvTranspose2d(in, out, kernel, stride)} with bias. */
  static ConvTranspose2dImpl convTranspose2d(long in, long out, long kernel, long stride) {
    ConvTranspose2dOptions o = new ConvTranspose2dOptions(in, out, new LongPointer(kernel, kernel));
    o.stride().put(new long[] {stride, stride});
    return new ConvTranspose2dImpl(o);
  }

  /** {@code nn.BatchNorm2d(channels)}. */
  static BatchNorm2dImpl batchNorm2d(long channels) {
    return new BatchNorm2dImpl(new BatchNormOptions(channels));
  }

  /** {@code nn.GroupNorm(groups, channels)}. */
  static GroupNormImpl groupNorm(long groups, long channels) {
    return new GroupNormImpl(groups, channels);
  }

  /** {@code nn.LayerNorm(features, eps=eps)}; note the one-element vector, not a sized one. */
  static LayerNormImpl layerNorm(long features, double eps) {
    LayerNormOptions o = new LayerNormOptions(new LongVector(new long[] {features}));
    o.eps().put(eps);
    return new LayerNormImpl(o);
  }

  /**
   * Keeps the Java object of a module pushed into a native container: SequentialImpl holds the
   * native module, not its Java owner, and once the owner is garbage-collected the module is freed
   * under the container (javacpp-presets #1782; seen here as a SIGSEGV in Module::name()).
   */
  static <M extends org.bytedeco.pytorch.Module> M held(
      java.util.List<org.bytedeco.pytorch.Module> holder, M module) {
    holder.add(module);
    return module;
  }

  /** {@code nn.Linear(in, out)} with bias. */
  static LinearImpl linear(long in, long out) {
    return new LinearImpl(in, out);
  }

  /** {@code nn.MaxPool2d(kernel, stride, padding)}. */
  static MaxPool2dImpl maxPool2d(long kernel, long stride, long padding) {
    MaxPool2dOptions o = new MaxPool2dOptions(new LongPointer(kernel, kernel));
    o.stride().put(new long[] {stride, stride});
    o.padding().put(new long[] {padding, padding});
    return new MaxPool2dImpl(o);
  }

  /** {@code nn.AvgPool2d(kernel)} (stride = kernel). */
  static AvgPool2dImpl avgPool2d(long kernel) {
    return new AvgPool2dImpl(new AvgPool2dOptions(new LongPointer(kernel, kernel)));
  }

  /**
   * {@code nn.AdaptiveAvgPool2d(1)}. The native constructor reads two consecutive optionals (an
   * {@code ExpandingArrayWithOptionalElem<2>}), so they come from a two-element vector: a single
   * {@code LongOptional} leaves the second size as garbage (we got a 1x0 output).
   */
  static AdaptiveAvgPool2dImpl globalAvgPool2d() {
    LongOptionalVector size = new LongOptionalVector(new LongOptional(1), new LongOptional(1));
    return new AdaptiveAvgPool2dImpl(size.get(0));
  }

  /** {@code nn.PixelShuffle(factor)}. */
  static PixelShuffleImpl pixelShuffle(long factor) {
    return new PixelShuffleImpl(new PixelShuffleOptions(factor));
  }
}
