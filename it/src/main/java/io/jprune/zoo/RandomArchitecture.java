package io.jprune.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.AdaptiveAvgPool2dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.GRUImpl;
import org.bytedeco.pytorch.GRUOptions;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.LSTMOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.LongOptionalVector;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.ModuleListImpl;
import org.bytedeco.pytorch.MultiheadAttentionImpl;
import org.bytedeco.pytorch.RNNImpl;
import org.bytedeco.pytorch.RNNOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Seeded random architectures for fuzzing the pruner: a stem conv, then a random chain of blocks —
 * residual pairs, concat of two branches, chunk + per-chunk convs + cat, pixel_shuffle /
 * pixel_unshuffle round trips, channel shuffle (view, transpose, view), depthwise convs, attention
 * over the flattened feature map (reshape into heads, permute, select, matmul, softmax), attention
 * with q/k/v taken by narrow (and grouped k/v), splits of uneven sizes, movedim/swapaxes around a
 * Linear, reshape + permute + flatten shuffles, expand/repeat gates, libtorch's MultiheadAttention
 * and LSTM/GRU/RNN layers over the positions — and a pooled linear head. Shapes are kept small so
 * hundreds run in seconds.
 */
public final class RandomArchitecture extends Module {
  private final Conv2dImpl stem;
  private final ModuleListImpl blocks;
  private final List<Block> chain = new ArrayList<>();
  private final AdaptiveAvgPool2dImpl pool;
  private final LinearImpl head;
  private final String summary;

  /** A block of the chain: a Java module with a forward over [B, C, H, W]. */
  interface Block {
    Tensor apply(Tensor x);
  }

  public RandomArchitecture(long seed) {
    Random r = new Random(seed);
    long channels = 8 * (1 + r.nextInt(3));
    stem = register_module("stem", Layers.conv2d(3, channels, 3, 1, 1, true));
    blocks = register_module("blocks", new ModuleListImpl());
    StringBuilder sb = new StringBuilder("stem(" + channels + ")");
    int n = 2 + r.nextInt(4);
    for (int i = 0; i < n; i++) {
      Drawn drawn = randomBlock(r, channels);
      blocks.push_back(drawn.block());
      chain.add((Block) drawn.block());
      sb.append(" -> ")
          .append(drawn.block().getClass().getSimpleName())
          .append('(')
          .append(drawn.out())
          .append(')');
      channels = drawn.out();
    }
    LongOptionalVector size = new LongOptionalVector(new LongOptional(1), new LongOptional(1));
    pool = register_module("pool", new AdaptiveAvgPool2dImpl(size.get(0)));
    head = register_module("head", Layers.linear(channels, 5));
    summary = sb.append(" -> head(5)").toString();
  }

  /** One drawn block and the channels it puts out. */
  private record Drawn(Module block, long out) {}

  /**
   * Draws one block on {@code channels} inputs. The order of the draws is part of each seed's
   * architecture: the fuzzer's seeds (and any failure they once found) must keep meaning the same
   * model, so a new kind goes at the end, never in between.
   */
  private static Drawn randomBlock(Random r, long channels) {
    return switch (r.nextInt(14)) {
      case 0 -> new Drawn(new ResidualPair(channels), channels);
      case 1 -> concatBranches(r, channels);
      case 2 -> chunkConvCat(r, channels);
      case 3 -> new Drawn(new ShuffleRoundTrip(channels, r.nextBoolean()), channels);
      case 4 -> new Drawn(new ChannelShuffleBlock(channels, false), channels);
      case 5 -> new Drawn(new DepthwiseBlock(channels), channels);
      case 6 ->
          new Drawn(
              new MapAttention(
                  new Attention(channels, 2, r.nextBoolean() ? QkvSplit.SELECT : QkvSplit.UNBIND)),
              channels);
      case 8 ->
          new Drawn(
              new MapAttention(new NarrowAttention(channels, r.nextBoolean() ? 4 : 2, 2)),
              channels);
      case 9 -> unevenSplit(r, channels);
      case 10 -> new Drawn(new MovedLinear(channels, r.nextBoolean()), channels);
      case 11 ->
          new Drawn(
              r.nextBoolean()
                  ? new ChannelShuffleBlock(channels, true)
                  : new ExpandGate(channels, r.nextBoolean()),
              channels);
      case 12 -> new Drawn(new TokenAttention(channels, r.nextBoolean() ? 2 : 4), channels);
      case 13 -> tokenRecurrent(r, channels);
      default -> convBnRelu(r, channels); // 7 as well: plain convs are the most common block
    };
  }

  private static Drawn concatBranches(Random r, long channels) {
    long a = 4 * (1 + r.nextInt(3));
    long c = 4 * (1 + r.nextInt(3));
    return new Drawn(new ConcatBranches(channels, a, c), a + c);
  }

  private static Drawn chunkConvCat(Random r, long channels) {
    long half = 4 * (1 + r.nextInt(2));
    return new Drawn(new ChunkConvCat(channels, half), 3 * half);
  }

  private static Drawn unevenSplit(Random r, long channels) {
    long a = r.nextBoolean() ? 2 : 6; // a + 2c stays a multiple of 4 for the heads
    long c = 3 + 2 * r.nextInt(3);
    return new Drawn(new UnevenSplit(channels, a, c), a + 2 * c);
  }

  private static Drawn tokenRecurrent(Random r, long channels) {
    long hidden = 4 * (1 + r.nextInt(3));
    int recurrent = r.nextInt(3);
    boolean bidirectional = r.nextBoolean();
    return new Drawn(
        new TokenRecurrent(channels, hidden, recurrent, bidirectional),
        (bidirectional ? 2 : 1) * hidden);
  }

  private static Drawn convBnRelu(Random r, long channels) {
    long next = 4 * (1 + r.nextInt(4));
    return new Drawn(new ConvBnRelu(channels, next), next);
  }

  /** The chain, for failure messages. */
  public String summary() {
    return summary;
  }

  public Tensor forward(Tensor x) {
    Tensor h = stem.forward(x).relu();
    for (Block b : chain) {
      h = b.apply(h);
    }
    return head.forward(pool.forward(h).flatten(1, -1));
  }

  /** conv-bn-relu changing the width. */
  static final class ConvBnRelu extends Module implements Block {
    private final Conv2dImpl conv;
    private final BatchNorm2dImpl bn;

    ConvBnRelu(long in, long out) {
      conv = register_module("conv", Layers.conv2d(in, out, 3, 1, 1, false));
      bn = register_module("bn", Layers.batchNorm2d(out));
    }

    @Override
    public Tensor apply(Tensor x) {
      return bn.forward(conv.forward(x)).relu();
    }
  }

  /** x + conv(relu(conv(x))): the residual couples the stream. */
  static final class ResidualPair extends Module implements Block {
    private final Conv2dImpl a;
    private final Conv2dImpl b;

    ResidualPair(long c) {
      a = register_module("a", Layers.conv2d(c, c, 3, 1, 1, true));
      b = register_module("b", Layers.conv2d(c, c, 3, 1, 1, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      return x.add(b.forward(a.forward(x).relu()));
    }
  }

  /** cat([conv_a(x), conv_b(x)], 1). */
  static final class ConcatBranches extends Module implements Block {
    private final Conv2dImpl a;
    private final Conv2dImpl b;

    ConcatBranches(long in, long outA, long outB) {
      a = register_module("a", Layers.conv2d(in, outA, 1, 1, 0, true));
      b = register_module("b", Layers.conv2d(in, outB, 3, 1, 1, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      return torch.cat(new TensorVector(a.forward(x).relu(), b.forward(x).relu()), 1);
    }
  }

  /** C2f-like: conv to 2h, chunk(2), conv on the second chunk, cat of all three. */
  static final class ChunkConvCat extends Module implements Block {
    private final Conv2dImpl expand;
    private final Conv2dImpl inner;

    ChunkConvCat(long in, long half) {
      expand = register_module("expand", Layers.conv2d(in, 2 * half, 1, 1, 0, true));
      inner = register_module("inner", Layers.conv2d(half, half, 3, 1, 1, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      Tensor[] parts = Parts.of(expand.forward(x).relu().chunk(2, 1));
      Tensor second = parts[1];
      Tensor extra = inner.forward(second).relu();
      return torch.cat(new TensorVector(parts[0], second, extra), 1);
    }
  }

  /** conv to 4C, pixel_shuffle(2), conv, pixel_unshuffle(2) or max-pool back: blocks of 4. */
  static final class ShuffleRoundTrip extends Module implements Block {
    private final Conv2dImpl up;
    private final Conv2dImpl mid;
    private final Conv2dImpl down;
    private final boolean unshuffle;

    ShuffleRoundTrip(long c, boolean unshuffle) {
      this.unshuffle = unshuffle;
      up = register_module("up", Layers.conv2d(c, 4 * c, 1, 1, 0, true));
      mid = register_module("mid", Layers.conv2d(c, c, 3, 1, 1, true));
      down = register_module("down", Layers.conv2d(unshuffle ? 4 * c : c, c, 1, 1, 0, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      Tensor y = torch.pixel_shuffle(up.forward(x), 2);
      y = mid.forward(y).relu();
      y = unshuffle ? torch.pixel_unshuffle(y, 2) : torch.max_pool2d(y, new long[] {2, 2});
      return down.forward(y);
    }
  }

  /**
   * ShuffleNet channel shuffle between two convs: view, transpose, view; or reshape, permute,
   * flatten.
   */
  static final class ChannelShuffleBlock extends Module implements Block {
    private final Conv2dImpl before;
    private final Conv2dImpl after;
    private final long groups = 2;
    private final boolean permute;

    ChannelShuffleBlock(long c, boolean permute) {
      this.permute = permute;
      before = register_module("before", Layers.conv2d(c, c, 1, 1, 0, true));
      after = register_module("after", Layers.conv2d(c, c, 1, 1, 0, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      Tensor y = before.forward(x).relu();
      long b = y.size(0);
      long c = y.size(1);
      long h = y.size(2);
      long w = y.size(3);
      y =
          permute
              ? y.reshape(b, groups, c / groups, h, w).permute(0, 2, 1, 3, 4).flatten(1, 2)
              : y.view(b, groups, c / groups, h, w).transpose(1, 2).contiguous().view(b, c, h, w);
      return after.forward(y);
    }
  }

  /** depthwise 3x3 + BN + pointwise. */
  static final class DepthwiseBlock extends Module implements Block {
    private final Conv2dImpl depthwise;
    private final BatchNorm2dImpl bn;
    private final Conv2dImpl pointwise;

    DepthwiseBlock(long c) {
      depthwise = register_module("depthwise", Layers.conv2d(c, c, 3, 1, 1, c, false));
      bn = register_module("bn", Layers.batchNorm2d(c));
      pointwise = register_module("pointwise", Layers.conv2d(c, c, 1, 1, 0, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      return pointwise.forward(bn.forward(depthwise.forward(x)).relu());
    }
  }

  /** conv to a + 2c, split_with_sizes({a, c, c}), conv on the middle part, cat of all. */
  static final class UnevenSplit extends Module implements Block {
    private final Conv2dImpl expand;
    private final Conv2dImpl inner;
    private final long a;
    private final long c;

    UnevenSplit(long in, long a, long c) {
      this.a = a;
      this.c = c;
      expand = register_module("expand", Layers.conv2d(in, a + 2 * c, 1, 1, 0, true));
      inner = register_module("inner", Layers.conv2d(c, c, 3, 1, 1, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      Tensor[] parts = Parts.of(expand.forward(x).relu().split(new long[] {a, c, c}, 1));
      return torch.cat(new TensorVector(parts[0], inner.forward(parts[1]).relu(), parts[2]), 1);
    }
  }

  /** channels last with movedim or swapaxes, a Linear over channels, and back. */
  static final class MovedLinear extends Module implements Block {
    private final LinearImpl fc;
    private final boolean movedim;

    MovedLinear(long c, boolean movedim) {
      this.movedim = movedim;
      fc = register_module("fc", Layers.linear(c, c));
    }

    @Override
    public Tensor apply(Tensor x) {
      Tensor last = movedim ? x.movedim(1, -1) : torch.swapaxes(x, 1, 3);
      Tensor y = fc.forward(last).relu();
      return movedim ? y.movedim(-1, 1) : torch.swapaxes(y, 1, 3);
    }
  }

  /** x * gate, the gate a pooled conv expanded (or repeated) over the map. */
  static final class ExpandGate extends Module implements Block {
    private final Conv2dImpl gate;
    private final boolean repeat;

    ExpandGate(long c, boolean repeat) {
      this.repeat = repeat;
      gate = register_module("gate", Layers.conv2d(c, c, 1, 1, 0, true));
    }

    @Override
    public Tensor apply(Tensor x) {
      long b = x.size(0);
      long c = x.size(1);
      long h = x.size(2);
      long w = x.size(3);
      Tensor g =
          gate.forward(
                  x.mean(new long[] {2, 3}, true, new org.bytedeco.pytorch.ScalarTypeOptional()))
              .relu();
      g = repeat ? g.repeat(1, 1, h, w) : g.expand(b, c, h, w);
      return x.mul(g);
    }
  }

  /**
   * The ViT's {@link Attention} (q/k/v by select or unbind) over the H*W positions of the map, with
   * a residual; its call sites are shared with the zoo ViTs, as code is in real models.
   */
  static final class MapAttention extends Module implements Block {
    private final UnaryOperator<Tensor> attn;

    MapAttention(Attention attention) {
      Attention a = register_module("attn", attention);
      attn = t -> a.forward(t);
    }

    /** {@link NarrowAttention}: q/k/v by narrow, heads by view, grouped k/v. */
    MapAttention(NarrowAttention attention) {
      NarrowAttention a = register_module("attn", attention);
      attn = t -> a.forward(t);
    }

    @Override
    public Tensor apply(Tensor x) {
      long b = x.size(0);
      long c = x.size(1);
      long h = x.size(2);
      long w = x.size(3);
      Tensor out = attn.apply(x.flatten(2, -1).transpose(1, 2));
      return x.add(out.transpose(1, 2).reshape(b, c, h, w));
    }
  }

  /** libtorch's MultiheadAttention over the H*W positions ([HW, B, C]), with a residual. */
  static final class TokenAttention extends Module implements Block {
    private final MultiheadAttentionImpl attn;

    TokenAttention(long dim, long heads) {
      attn = register_module("attn", new MultiheadAttentionImpl(dim, heads));
    }

    @Override
    public Tensor apply(Tensor x) {
      long b = x.size(0);
      long c = x.size(1);
      long h = x.size(2);
      long w = x.size(3);
      Tensor tokens = x.flatten(2, -1).permute(2, 0, 1);
      Tensor out = new Tensor(attn.forward(tokens, tokens, tokens).get0());
      return x.add(out.permute(1, 2, 0).reshape(b, c, h, w));
    }
  }

  /** An LSTM, GRU or RNN (2 layers, maybe bidirectional) over the H*W positions. */
  static final class TokenRecurrent extends Module implements Block {
    private final Module layer;

    TokenRecurrent(long in, long hidden, int kind, boolean bidirectional) {
      layer =
          switch (kind) {
            case 0 -> {
              LSTMOptions o = new LSTMOptions(in, hidden);
              o.num_layers().put(2);
              o.bidirectional().put(bidirectional);
              yield register_module("lstm", new LSTMImpl(o));
            }
            case 1 -> {
              GRUOptions o = new GRUOptions(in, hidden);
              o.num_layers().put(2);
              o.bidirectional().put(bidirectional);
              yield register_module("gru", new GRUImpl(o));
            }
            default -> {
              RNNOptions o = new RNNOptions(in, hidden);
              o.num_layers().put(2);
              o.bidirectional().put(bidirectional);
              yield register_module("rnn", new RNNImpl(o));
            }
          };
    }

    @Override
    public Tensor apply(Tensor x) {
      long b = x.size(0);
      long h = x.size(2);
      long w = x.size(3);
      Tensor tokens = x.flatten(2, -1).permute(2, 0, 1);
      Tensor out;
      if (layer instanceof LSTMImpl lstm) {
        out = new Tensor(lstm.forward(tokens).get0());
      } else if (layer instanceof GRUImpl gru) {
        out = new Tensor(gru.forward(tokens).get0());
      } else {
        out = new Tensor(((RNNImpl) layer).forward(tokens).get0());
      }
      return out.permute(1, 2, 0).reshape(b, -1, h, w);
    }
  }
}
