package io.jprune.zoo;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * DINO/timm multi-head self-attention. The head layout is baked into call-site arguments: {@code
 * reshape(B, N, 3, numHeads, headDim)} and {@code reshape(B, N, dim)} read these Java fields, so
 * pruning heads or head width means rewriting those arguments, not an options object. The scale
 * stays {@code headDim^-0.5} of the original width, as in timm after pruning.
 */
public final class Attention extends Module {
  private final LinearImpl qkv;
  private final LinearImpl proj;
  private final long dim;
  private final long numHeads;
  private final long headDim;
  private final double scale;
  private final QkvSplit split;

  Attention(long dim, long numHeads, QkvSplit split) {
    this.dim = dim;
    this.numHeads = numHeads;
    this.headDim = dim / numHeads;
    this.scale = Math.pow(headDim, -0.5);
    this.split = split;
    qkv = register_module("qkv", Layers.linear(dim, dim * 3));
    proj = register_module("proj", Layers.linear(dim, dim));
  }

  public Tensor forward(Tensor x) {
    long b = x.size(0);
    long n = x.size(1);
    Tensor stacked = qkv.forward(x).reshape(b, n, 3, numHeads, headDim).permute(2, 0, 3, 1, 4);
    Tensor q;
    Tensor k;
    Tensor v;
    if (split == QkvSplit.SELECT) {
      q = stacked.select(0, 0);
      k = stacked.select(0, 1);
      v = stacked.select(0, 2);
    } else {
      Tensor[] parts = Parts.of(stacked.unbind(0));
      q = parts[0];
      k = parts[1];
      v = parts[2];
    }
    Tensor attn = q.matmul(k.transpose(-2, -1)).mul(new Scalar(scale)).softmax(-1);
    Tensor out = attn.matmul(v).transpose(1, 2).reshape(b, n, dim);
    return proj.forward(out);
  }
}
