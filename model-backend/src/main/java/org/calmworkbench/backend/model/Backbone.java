package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * CALM's Transformer (the official {@code transformer}, a Llama model): a stack of causal
 * {@link LlamaLayer}s over patch embeddings, then a final RMSNorm. Its token embedding is not used
 * inside the stack: {@link CalmModel} looks up K tokens per patch and feeds them through
 * {@link EmbedProj}, so the inputs here are already one vector per patch.
 */
public final class Backbone extends CalmBlock {
  private final TokenEmbedding embedTokens;
  private final List<LlamaLayer> layers = new ArrayList<>();
  private final RmsNorm norm;

  public Backbone(BackboneConfig c) {
    embedTokens = child("embed_tokens", new TokenEmbedding(c.vocabSize(), c.hiddenSize()));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      layers.add(child("layers." + i, new LlamaLayer(c)));
    }
    norm = child("norm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
  }

  public TokenEmbedding embedTokens() {
    return embedTokens;
  }

  public int numLayers() {
    return layers.size();
  }

  /** inputsEmbeds [B, P, H] -> hidden states [B, P, H]; position p sees positions 0..p. */
  @Override
  public NDArray forward(NDArray inputsEmbeds) {
    NDArray h = inputsEmbeds;
    for (LlamaLayer layer : layers) {
      h = layer.forward(h, null, -1);
    }
    return norm.forward(h);
  }

  /** An empty cache for {@link #step}, living on a sub-manager of {@code manager}. */
  public KvCache newCache(NDManager manager) {
    return new KvCache(manager, layers.size());
  }

  /** An empty cache preallocated for {@code positions} positions (it grows if more come). */
  public KvCache newCache(NDManager manager, long positions) {
    return new KvCache(manager, layers.size(), positions, KvCache.Layout.PREALLOCATED);
  }

  /**
   * Appends n positions to the context held by {@code cache} and returns their hidden states:
   * newEmbeds [B, n, H] -> [B, n, H]. Equal to the matching rows of {@link #forward} over the whole
   * sequence, at the cost of the new positions only.
   */
  public NDArray step(NDArray newEmbeds, KvCache cache) {
    if (cache.numLayers() != layers.size()) {
      throw new IllegalArgumentException(
          "cache has " + cache.numLayers() + " layers, the backbone " + layers.size());
    }
    NDArray h = newEmbeds;
    // The rotary tables of the new positions, made once for all layers (on the manager each layer's made them on).
    int n = Math.toIntExact(newEmbeds.getShape().get(1));
    NDList cosSin = layers.isEmpty() ? null : layers.get(0).selfAttn().cosSin(newEmbeds.getManager(), cache.length(), n);
    for (int i = 0; i < layers.size(); i++) {
      h = layers.get(i).forward(h, cache, i, cosSin);
    }
    cache.advance(n);
    return norm.forward(h);
  }
}
