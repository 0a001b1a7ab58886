package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;

/** A lookup table [V, H]; also the decoder's tied output matrix. */
public final class TokenEmbedding extends CalmBlock {
  private final Parameter weight;

  public TokenEmbedding(int vocabSize, int hiddenSize) {
    this.weight = weight("weight", vocabSize, hiddenSize);
  }

  public Parameter weightParameter() {
    return weight;
  }

  @Override
  public NDArray forward(NDArray ids) { // [...] int64 -> [..., H]
    return Embedding.embedding(ids, weight.getArray(), SparseFormat.DENSE).singletonOrThrow();
  }
}
