package io.jprune.zoo;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * torchvision's ShuffleNetV2 {@code InvertedResidual}. Stride 1: {@code chunk(2, 1)}, keep the
 * first half, run {@code branch2} on the second, cat. Stride 2: cat of {@code branch1(x)} and
 * {@code branch2(x)}. Then a channel shuffle with 2 groups interleaves the halves. The branches are
 * native {@code Sequential}s of built-ins, named {@code branchN.M} as in torchvision.
 */
public final class ShuffleUnit extends Module {
  private static final long GROUPS = 2;

  private final long stride;
  private final SequentialImpl branch1;
  private final SequentialImpl branch2;

  /** Java objects of the native Sequentials' children (see {@link Layers#held}). */
  private final java.util.List<org.bytedeco.pytorch.Module> held = new java.util.ArrayList<>();

  ShuffleUnit(long in, long out, long stride) {
    this.stride = stride;
    long half = out / 2;
    if (stride > 1) {
      SequentialImpl b1 = new SequentialImpl();
      b1.push_back(Layers.held(held, Layers.conv2d(in, in, 3, stride, 1, in, false)));
      b1.push_back(Layers.held(held, Layers.batchNorm2d(in)));
      b1.push_back(Layers.held(held, Layers.conv2d(in, half, 1, 1, 0, false)));
      b1.push_back(Layers.held(held, Layers.batchNorm2d(half)));
      b1.push_back(Layers.held(held, new ReLUImpl()));
      branch1 = register_module("branch1", b1);
    } else {
      branch1 = null;
    }
    long branch2In = stride > 1 ? in : half;
    SequentialImpl b2 = new SequentialImpl();
    b2.push_back(Layers.held(held, Layers.conv2d(branch2In, half, 1, 1, 0, false)));
    b2.push_back(Layers.held(held, Layers.batchNorm2d(half)));
    b2.push_back(Layers.held(held, new ReLUImpl()));
    b2.push_back(Layers.held(held, Layers.conv2d(half, half, 3, stride, 1, half, false)));
    b2.push_back(Layers.held(held, Layers.batchNorm2d(half)));
    b2.push_back(Layers.held(held, Layers.conv2d(half, half, 1, 1, 0, false)));
    b2.push_back(Layers.held(held, Layers.batchNorm2d(half)));
    b2.push_back(Layers.held(held, new ReLUImpl()));
    branch2 = register_module("branch2", b2);
  }

  public Tensor forward(Tensor x) {
    Tensor out;
    if (stride == 1) {
      Tensor[] halves = Parts.of(x.chunk(2, 1));
      out = torch.cat(new TensorVector(halves[0], branch2.forward(halves[1])), 1);
    } else {
      out = torch.cat(new TensorVector(branch1.forward(x), branch2.forward(x)), 1);
    }
    return channelShuffle(out, GROUPS);
  }

  /** torchvision's {@code channel_shuffle}: view, transpose(1, 2), contiguous, view back. */
  private static Tensor channelShuffle(Tensor x, long groups) {
    long b = x.size(0);
    long c = x.size(1);
    long h = x.size(2);
    long w = x.size(3);
    Tensor grouped = x.view(b, groups, c / groups, h, w);
    Tensor swapped = grouped.transpose(1, 2).contiguous();
    return swapped.view(b, c, h, w);
  }
}
