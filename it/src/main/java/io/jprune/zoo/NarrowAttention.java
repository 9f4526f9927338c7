package io.jprune.zoo;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Self-attention whose q, k and v are taken with {@code narrow} on the last dim of the qkv output,
 * each viewed into heads on its own: {@code q.matmul(k.transpose)} and {@code attn.matmul(v)}. With
 * {@code kvHeads < heads} k and v are shared by groups of query heads (grouped-query attention):
 * their heads are repeated with {@code repeat_interleave}-like {@code unsqueeze + expand +
 * reshape}.
 */
public final class NarrowAttention extends Module {
  private final LinearImpl qkv;
  private final LinearImpl proj;
  private final long dim;
  private final long heads;
  private final long kvHeads;
  private final long headDim;
  private final double scale;

  /** Multi-head attention over [B, N, dim]. */
  public NarrowAttention(long dim, long heads, long kvHeads) {
    this.dim = dim;
    this.heads = heads;
    this.kvHeads = kvHeads;
    this.headDim = dim / heads;
    this.scale = Math.pow(headDim, -0.5);
    qkv = register_module("qkv", Layers.linear(dim, dim + 2 * kvHeads * headDim));
    proj = register_module("proj", Layers.linear(dim, dim));
  }

  public Tensor forward(Tensor x) {
    long b = x.size(0);
    long n = x.size(1);
    long kvDim = kvHeads * headDim;
    Tensor all = qkv.forward(x);
    Tensor q = all.narrow(-1, 0, dim).view(b, n, heads, headDim).transpose(1, 2);
    Tensor k = all.narrow(-1, dim, kvDim).view(b, n, kvHeads, headDim).transpose(1, 2);
    Tensor v = all.narrow(-1, dim + kvDim, kvDim).view(b, n, kvHeads, headDim).transpose(1, 2);
    if (kvHeads != heads) {
      long rep = heads / kvHeads;
      k = k.unsqueeze(2).expand(b, kvHeads, rep, n, headDim).reshape(b, heads, n, headDim);
      v = v.unsqueeze(2).expand(b, kvHeads, rep, n, headDim).reshape(b, heads, n, headDim);
    }
    Tensor attn = q.matmul(k.transpose(-2, -1)).mul(new Scalar(scale)).softmax(-1);
    Tensor out = attn.matmul(v).transpose(1, 2).reshape(b, n, dim);
    return proj.forward(out);
  }
}
