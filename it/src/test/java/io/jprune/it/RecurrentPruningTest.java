package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.surgery.ModelTensors;
import io.jprune.pruner.verify.EquivalenceReport;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.GRUImpl;
import org.bytedeco.pytorch.GRUOptions;
import org.bytedeco.pytorch.LSTMCellImpl;
import org.bytedeco.pytorch.LSTMImpl;
import org.bytedeco.pytorch.LSTMOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.RNNImpl;
import org.bytedeco.pytorch.RNNOptions;
import org.bytedeco.pytorch.T_TensorT_TensorTensor_T_T;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * libtorch's LSTM, GRU, RNN and LSTMCell prune their hidden size: the gate blocks of every layer
 * and direction, the recurrence, LSTM's projection and the next layer's input, compared with the
 * masked original (relative 1e-5), with and without initial states passed by the user.
 */
class RecurrentPruningTest {
  private static final long VOCAB = 40;
  private static final long SEQ = 7;
  private static final long BATCH = 3;

  /** Embedding -> LSTM (2 layers) -> Linear over the vocabulary: a language model. */
  public static final class LstmLanguageModel extends Module {
    private final EmbeddingImpl embed = register_module("embed", new EmbeddingImpl(VOCAB, 16));
    private final LSTMImpl lstm;
    private final LinearImpl decoder;

    LstmLanguageModel(boolean bidirectional, long projSize) {
      LSTMOptions o = new LSTMOptions(16, 32);
      o.num_layers().put(2);
      o.bidirectional().put(bidirectional);
      o.proj_size().put(projSize);
      lstm = register_module("lstm", new LSTMImpl(o));
      long width = (bidirectional ? 2 : 1) * (projSize > 0 ? projSize : 32);
      decoder = register_module("decoder", new LinearImpl(width, VOCAB));
    }

    public Tensor forward(Tensor ids) {
      return decoder.forward(new Tensor(lstm.forward(embed.forward(ids)).get0()));
    }

    /** With the user's initial state (h0, c0). */
    public Tensor forward(Tensor ids, Tensor h0, Tensor c0) {
      T_TensorT_TensorTensor_T_T r = lstm.forward(embed.forward(ids), new T_TensorTensor_T(h0, c0));
      return decoder.forward(new Tensor(r.get0()));
    }
  }

  /** Linear -> GRU -> Linear, the sequence read in two halves, the state carried over. */
  public static final class GruTagger extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final GRUImpl gru = register_module("gru", new GRUImpl(new GRUOptions(16, 24)));
    private final LinearImpl out = register_module("out", new LinearImpl(24, 4));

    public Tensor forward(Tensor x) {
      Tensor h = in.forward(x);
      T_TensorTensor_T first = gru.forward(h.narrow(0, 0, 3));
      T_TensorTensor_T second = gru.forward(h.narrow(0, 3, SEQ - 3), new Tensor(first.get1()));
      return out.forward(
          torch.cat(
              new org.bytedeco.pytorch.TensorVector(
                  new Tensor(first.get0()), new Tensor(second.get0())),
              0));
    }

    public Tensor forward(Tensor x, Tensor h0) {
      return out.forward(new Tensor(gru.forward(in.forward(x), h0).get0()));
    }
  }

  /** Linear -> tanh RNN (2 layers) -> Linear. */
  public static final class RnnRegressor extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final RNNImpl rnn;
    private final LinearImpl out = register_module("out", new LinearImpl(20, 2));

    RnnRegressor() {
      RNNOptions o = new RNNOptions(16, 20);
      o.num_layers().put(2);
      rnn = register_module("rnn", new RNNImpl(o));
    }

    public Tensor forward(Tensor x) {
      return out.forward(new Tensor(rnn.forward(in.forward(x)).get0()));
    }
  }

  /** An LSTMCell looped over time in Java; its state flows from step to step. */
  public static final class CellLoop extends Module {
    private final LinearImpl in = register_module("in", new LinearImpl(8, 16));
    private final LSTMCellImpl cell = register_module("cell", new LSTMCellImpl(16, 20));
    private final LinearImpl out = register_module("out", new LinearImpl(20, 4));

    public Tensor forward(Tensor x) {
      Tensor h = in.forward(x);
      T_TensorTensor_T state = cell.forward(h.select(0, 0));
      for (long t = 1; t < SEQ; t++) {
        state = cell.forward(h.select(0, t), state);
      }
      return out.forward(new Tensor(state.get0()));
    }
  }

  /** One case: a model, its input, the parameter whose rows are the hidden channels. */
  enum Case {
    LSTM_2_LAYERS("lstm.weight_hh_l0", 32, m -> new LstmLanguageModel(false, 0)),
    LSTM_BIDIRECTIONAL("lstm.weight_hh_l0", 32, m -> new LstmLanguageModel(true, 0)),
    LSTM_PROJECTED("lstm.weight_hr_l0", 12, m -> new LstmLanguageModel(false, 12)),
    GRU_STATE_CARRIED("gru.weight_hh_l0", 24, m -> new GruTagger()),
    RNN_2_LAYERS("rnn.weight_hh_l0", 20, m -> new RnnRegressor()),
    LSTM_CELL_LOOP("cell.weight_hh", 20, m -> new CellLoop());

    final String hidden;
    final int width;
    final Function<Void, Module> factory;

    Case(String hidden, int width, Function<Void, Module> factory) {
      this.hidden = hidden;
      this.width = width;
      this.factory = factory;
    }

    Tensor input() {
      return this.name().startsWith("LSTM_") && !this.name().equals("LSTM_CELL_LOOP")
          ? torch.randint(VOCAB, new long[] {SEQ, BATCH})
          : torch.randn(SEQ, BATCH, 8);
    }

    Tensor run(Module model, Tensor x) {
      if (model instanceof LstmLanguageModel m) {
        return m.forward(x);
      }
      if (model instanceof GruTagger m) {
        return m.forward(x);
      }
      if (model instanceof RnnRegressor m) {
        return m.forward(x);
      }
      return ((CellLoop) model).forward(x);
    }
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void halvedHiddenEqualsTheMaskedOriginal(Case c) {
    torch.manual_seed(11);
    Module model = c.factory.apply(null);
    model.eval();
    Tensor x = c.input();
    Tensor before;
    try (NoGradGuard g = new NoGradGuard()) {
      before = c.run(model, x);
    }
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> c.run(model, x))
            .importance(ZooPruning.randomScores(3))
            .build();
    PruningGroup hidden = pruner.graph().groupOf(c.hidden);
    assertEquals(c.width, hidden.size(), hidden.describe());
    long[] half = new long[c.width / 2];
    for (int i = 0; i < half.length; i++) {
      half[i] = 2L * i + 1;
    }
    EquivalenceReport report =
        pruner.pruneAndVerify(
            Removal.of(hidden.id(), pruner.graph().channelsOf(hidden, c.hidden, half)));
    assertTrue(report.exactExpected(), report.toString());
    assertTrue(report.agrees(1e-5), report.toString());
    assertEquals(
        c.width / 2,
        ModelTensors.of(model).get(c.hidden).size(0) / (c.hidden.endsWith("hr_l0") ? 1 : gates(c)),
        c.hidden);
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(ZooPruning.shape(before), ZooPruning.shape(c.run(model, x)));
    }
  }

  private static long gates(Case c) {
    return c.hidden.startsWith("lstm") || c.hidden.startsWith("cell")
        ? 4
        : c.hidden.startsWith("gru") ? 3 : 1;
  }

  @Test
  void bidirectionalTwoLayerLstmHalvesEveryWeightAndOption() {
    torch.manual_seed(11);
    LstmLanguageModel model = new LstmLanguageModel(true, 0);
    model.eval();
    Tensor ids = Case.LSTM_BIDIRECTIONAL.input();
    Pruner pruner =
        Pruner.builder(model).exampleInput(ids).importance(ZooPruning.randomScores(3)).build();
    PruningGroup hidden = pruner.graph().groupOf("lstm.weight_hh_l0");
    long before = ModelCost.of(pruner.graph().trace()).layer("lstm").orElseThrow().macs();
    // per step and sample: 2 layers x 2 directions x (4H (in + H) + 8H), in = 16 then 2H
    assertEquals(
        SEQ * BATCH * 2 * (4 * 32 * (16 + 32) + 8 * 32 + 4 * 32 * (64 + 32) + 8 * 32), before);
    long[] half = new long[16];
    for (int i = 0; i < 16; i++) {
      half[i] = 2L * i;
    }
    pruner.prune(hidden, pruner.graph().channelsOf(hidden, "lstm.weight_hh_l0", half));
    Map<String, Tensor> p = ModelTensors.of(model);
    assertArrayEquals(new long[] {64, 16}, ZooPruning.shape(p.get("lstm.weight_ih_l0")));
    assertArrayEquals(new long[] {64, 16}, ZooPruning.shape(p.get("lstm.weight_hh_l0_reverse")));
    assertArrayEquals(new long[] {64, 32}, ZooPruning.shape(p.get("lstm.weight_ih_l1")));
    assertArrayEquals(new long[] {64}, ZooPruning.shape(p.get("lstm.bias_hh_l1_reverse")));
    assertArrayEquals(new long[] {VOCAB, 32}, ZooPruning.shape(p.get("decoder.weight")));
    assertEquals(16, model.lstm.options().hidden_size().get());
    assertEquals(16, model.lstm.options().input_size().get());
    long after = ModelCost.of(pruner.graph().trace()).layer("lstm").orElseThrow().macs();
    assertEquals(
        SEQ * BATCH * 2 * (4 * 16 * (16 + 16) + 8 * 16 + 4 * 16 * (32 + 16) + 8 * 16), after);
    // the user's own state, at the pruned width, runs
    Tensor h0 = torch.randn(4, BATCH, 16);
    Tensor c0 = torch.randn(4, BATCH, 16);
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(
          new long[] {SEQ, BATCH, VOCAB}, ZooPruning.shape(model.forward(ids, h0, c0)));
    }
  }

  @Test
  void statesPassedInFixTheHiddenWidthAndSaySo() {
    torch.manual_seed(11);
    LstmLanguageModel model = new LstmLanguageModel(false, 0);
    model.eval();
    Tensor ids = Case.LSTM_2_LAYERS.input();
    Tensor h0 = torch.zeros(2, BATCH, 32);
    Tensor c0 = torch.zeros(2, BATCH, 32);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> model.forward(ids, h0, c0))
            .importance(ZooPruning.randomScores(3))
            .build();
    String described = pruner.graph().describe();
    assertTrue(
        described.contains(
            "lstm (LSTMImpl): hidden width 32 is fixed by the initial "
                + "state passed to forward (h0), which no pruned layer produces"),
        described);
    assertTrue(
        described.contains(
            "lstm (LSTMImpl): cell width 32 is fixed by the initial "
                + "state passed to forward (c0), which no pruned layer produces"),
        described);
    assertThrows(IllegalArgumentException.class, () -> pruner.graph().groupOf("lstm.weight_hh_l0"));
    PruningGroup embedding = pruner.graph().groupOf("embed");
    EquivalenceReport report =
        pruner.pruneAndVerify(Removal.of(embedding.id(), new long[] {0, 3, 4, 9}));
    assertTrue(report.agrees(1e-5), report.toString());
    assertEquals(12, model.lstm.options().input_size().get());
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(
          new long[] {SEQ, BATCH, VOCAB}, ZooPruning.shape(model.forward(ids, h0, c0)));
    }
    assertFalse(pruner.graph().describe().contains("kept whole"));
  }

  @Test
  void gruRunsWithAUserStateAfterPruning() {
    torch.manual_seed(11);
    GruTagger model = new GruTagger();
    model.eval();
    Tensor x = Case.GRU_STATE_CARRIED.input();
    Pruner pruner =
        Pruner.builder(model).exampleInput(x).importance(ZooPruning.randomScores(3)).build();
    PruningGroup hidden = pruner.graph().groupOf("gru.weight_hh_l0");
    pruner.prune(hidden, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertEquals(12, model.gru.options().hidden_size().get());
    try (NoGradGuard g = new NoGradGuard()) {
      assertArrayEquals(
          new long[] {SEQ, BATCH, 4},
          ZooPruning.shape(model.forward(x, torch.randn(1, BATCH, 12))));
    }
  }
}
