package io.jprune.rulenets;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** Token models (input [1, 4, 6] or [4, 6]) for matmul and functional-linear rules. */
public final class SeqNets {
  private SeqNets() {}

  /** Tokens [1, 4, 6], seeded. */
  public static Tensor tokens() {
    torch.manual_seed(13);
    return torch.randn(1, 4, 6);
  }

  /**
   * softmax(q kᵀ) v over q, k, v = Linear(6, 8) each, in {@code heads} heads of 8 / heads (heads
   * come from reshape(1, 4, heads, 8 / heads) and a transpose), then a Linear(8, 3) head.
   */
  public static final class Attention extends Module {
    private final LinearImpl q = register_module("q", new LinearImpl(6, 8));
    private final LinearImpl k = register_module("k", new LinearImpl(6, 8));
    private final LinearImpl v = register_module("v", new LinearImpl(6, 8));
    private final LinearImpl head = register_module("head", new LinearImpl(8, 3));
    private final long heads;

    public Attention(long heads) {
      this.heads = heads;
    }

    public Tensor forward(Tensor x) {
      Tensor s = heads(q.forward(x)).matmul(heads(k.forward(x)).transpose(-2, -1)).softmax(-1);
      Tensor o = s.matmul(heads(v.forward(x)));
      return head.forward(heads == 1 ? o : o.transpose(1, 2).reshape(1, 4, 8));
    }

    private Tensor heads(Tensor t) {
      return heads == 1 ? t : t.reshape(1, 4, heads, 8 / heads).transpose(1, 2);
    }
  }

  /**
   * {@code x.matmul(w)} with a registered w [6, 8], then a Linear(8, 3) head; {@code tied} adds
   * w.sum(), a second reader of w.
   */
  public static final class MatmulLayer extends Module {
    // owned handle: register_parameter returns a reference into a table the next call may move
    private final Tensor w = new Tensor(register_parameter("w", torch.randn(6, 8)));
    private final LinearImpl head = register_module("head", new LinearImpl(8, 3));
    private final boolean tied;

    public MatmulLayer(boolean tied) {
      this.tied = tied;
    }

    public Tensor forward(Tensor x) {
      Tensor y = x.matmul(w);
      return head.forward(tied ? y.add(w.sum()) : y);
    }
  }

  /** How {@link FunctionalLayer} computes its layer on x [4, 6]. */
  public enum Functional {
    /** torch.linear(x, w [8, 6], b [8]). */
    LINEAR,
    /** torch.addmm(b [8], x, wt [6, 8]): wt's columns are the outputs. */
    ADDMM,
    /** LINEAR plus w.sum(): w has a second reader. */
    TIED
  }

  /** A layer from registered parameters, then a Linear(8, 3) head; input [4, 6]. */
  public static final class FunctionalLayer extends Module {
    private final Tensor w = new Tensor(register_parameter("w", torch.randn(8, 6)));
    private final Tensor wt = new Tensor(register_parameter("wt", torch.randn(6, 8)));
    private final Tensor b = new Tensor(register_parameter("b", torch.randn(8)));
    private final LinearImpl head = register_module("head", new LinearImpl(8, 3));
    private final Functional how;

    public FunctionalLayer(Functional how) {
      this.how = how;
    }

    public Tensor forward(Tensor x) {
      Tensor y =
          switch (how) {
            case LINEAR -> torch.linear(x, w, new TensorOptional(b));
            case ADDMM -> torch.addmm(b, x, wt);
            case TIED -> torch.linear(x, w, new TensorOptional(b)).add(w.sum());
          };
      return head.forward(y);
    }
  }
}
