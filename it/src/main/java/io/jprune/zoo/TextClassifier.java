package io.jprune.zoo;

import org.bytedeco.pytorch.EmbeddingImpl;
import org.bytedeco.pytorch.LayerNormImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Token classifier over {@code [B, T]} int64 ids: Embedding(1000, 64), a pre-norm residual MLP
 * ({@code e + mlp(norm(e))}, hidden 256, GELU), mean over tokens, Linear(64, 10). Pruning the
 * embedding width must slice the embedding table's columns, the norm and both ends of the MLP.
 */
public final class TextClassifier extends Module {
  static final long VOCAB = 1000;
  static final long DIM = 64;
  static final long HIDDEN = 256;

  private final EmbeddingImpl embed;
  private final LayerNormImpl norm;
  private final Mlp mlp;
  private final LinearImpl classifier;

  public TextClassifier(long numClasses) {
    embed = register_module("embed", new EmbeddingImpl(VOCAB, DIM));
    norm = register_module("norm", Layers.layerNorm(DIM, 1e-5));
    mlp = register_module("mlp", new Mlp(DIM, HIDDEN, DIM));
    classifier = register_module("classifier", Layers.linear(DIM, numClasses));
  }

  public Tensor forward(Tensor tokens) {
    Tensor e = embed.forward(tokens);
    Tensor x = e.add(mlp.forward(norm.forward(e)));
    return classifier.forward(x.mean(1));
  }
}
