package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * YOLOv8's C2f: {@code cv1} 1x1 to {@code 2c}, {@code chunk(2, 1)}, each bottleneck in {@code m}
 * applied to the latest piece, then {@code cv2} 1x1 over {@code torch.cat} of both chunks and every
 * bottleneck output. The chunk halves and the cat are what a pruner must keep aligned.
 */
public final class C2f extends Module {
  private final ConvBnAct cv1;
  private final ConvBnAct cv2;
  private final List<C2fBottleneck> m = new ArrayList<>();

  C2f(long in, long out, int n, boolean shortcut) {
    long c = out / 2;
    cv1 = register_module("cv1", new ConvBnAct(in, 2 * c, 1, 1, Activation.SILU));
    cv2 = register_module("cv2", new ConvBnAct((2 + n) * c, out, 1, 1, Activation.SILU));
    ModuleListImpl list = register_module("m", new ModuleListImpl());
    for (int i = 0; i < n; i++) {
      C2fBottleneck b = new C2fBottleneck(c, shortcut);
      list.push_back(b);
      m.add(b);
    }
  }

  public Tensor forward(Tensor x) {
    Tensor[] halves = Parts.of(cv1.forward(x).chunk(2, 1));
    List<Tensor> y = new ArrayList<>();
    y.add(halves[0]);
    y.add(halves[1]);
    for (C2fBottleneck b : m) {
      y.add(b.forward(y.get(y.size() - 1)));
    }
    return cv2.forward(torch.cat(new TensorVector(y.toArray(new Tensor[0])), 1));
  }
}
