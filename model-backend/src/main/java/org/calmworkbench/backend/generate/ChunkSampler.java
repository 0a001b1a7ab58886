package org.calmworkbench.backend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.GenerativeHead;
import org.calmworkbench.backend.sampling.BlackBoxSampler;
import org.calmworkbench.backend.sampling.TokenChunk;

/**
 * CALM's black box for one generation step: "draw fresh noise, let the generative head turn it
 * into a latent for the given hidden state (the energy head in one pass; the flow and diffusion
 * heads by running their ODE solver / reverse diffusion from Gaussian noise), decode that latent
 * with the autoencoder's argmax into K tokens". Every draw is independent; nobody knows its probability.
 *
 * <p>The noise comes from the {@link SplittableRandom} the temperature sampler passes in (not from
 * the engine's RNG), so a seed fixes the generated text. Draws are computed in batches (one
 * head + decoder forward for many noise vectors) and handed out one by one; the law is the same as
 * drawing one at a time. Draws computed but never handed out are not counted as sampler calls.
 */
final class ChunkSampler implements BlackBoxSampler<TokenChunk> {
  /** Most draws computed in one forward pass. */
  static final int MAX_BATCH = 256;

  private final CalmModel model;
  private final Autoencoder autoencoder;
  private final NDManager parent;
  private final float[] hidden; // [H], the condition of this step
  private final ArrayDeque<TokenChunk> ready = new ArrayDeque<>();
  private final boolean keepLatents; // the latent and both input modes feed the chosen chunk's latent back
  private final Map<TokenChunk, float[]> firstLatent = new HashMap<>(); // chunk -> the first latent decoding to it
  private int planned; // draws the caller will take for sure (batch, greedy); 0 when unknown (exact)
  private int nextBatch; // size of the next batch when the count is unknown; doubles per refill
  private long computed;

  /**
   * @param parent the step's manager; each batch runs on (and frees) a sub-manager of it
   * @param hidden the step's hidden state [H]
   * @param planned draws certainly needed (a batch of N), or 0 if unknown
   * @param firstBatch batch size to start with when the count is unknown (e.g. ceil(1/T))
   * @param keepLatents copy the latents to the host for {@link #latentOf}; false skips that copy
   */
  ChunkSampler(CalmModel model, Autoencoder autoencoder, NDManager parent, float[] hidden, int planned, int firstBatch,
      boolean keepLatents) {
    this.model = model;
    this.autoencoder = autoencoder;
    this.parent = parent;
    this.hidden = hidden.clone();
    this.planned = planned;
    this.keepLatents = keepLatents;
    this.nextBatch = Math.max(1, Math.min(firstBatch, MAX_BATCH));
  }

  @Override
  public TokenChunk sample(SplittableRandom rng) {
    if (ready.isEmpty()) {
      refill(rng);
    }
    return ready.poll();
  }

  /**
   * The latent of the first draw that decoded to {@code chunk} [L], or null if none did (or the
   * sampler was made without keeping latents).
   */
  float[] latentOf(TokenChunk chunk) {
    float[] z = firstLatent.get(chunk);
    return z == null ? null : z.clone();
  }

  /** Draws computed so far, including any not handed out. */
  long computed() {
    return computed;
  }

  private void refill(SplittableRandom rng) {
    int n;
    if (planned > 0) {
      n = Math.min(planned, MAX_BATCH);
      planned -= n;
    } else {
      n = nextBatch;
      nextBatch = Math.min(2 * nextBatch, MAX_BATCH);
    }
    GenerativeHead head = model.head();
    int noiseSize = head.noiseSize();
    int h = hidden.length;
    int k = model.config().patchSize();
    int l = model.config().latentSize();
    // The energy head's U[-0.5, 0.5), or the flow/diffusion heads' N(0, I), as each was trained with.
    float[] noise = head.hostNoise(rng, n);
    long[] tokens;
    float[] latents;
    try (NDManager m = parent.newSubManager()) {
      NDArray condition = m.create(hidden, new Shape(1, h)); // [1, H], broadcast over the n draws
      NDArray z = head.generate(condition, m.create(noise, new Shape(n, noiseSize))); // [n, L]
      if (model.latentScale() != null) { // the head predicts standardised latents
        z = model.latentScale().toRaw(m, z);
      }
      tokens = autoencoder.decodeGreedy(z.reshape(n, 1, l)).toLongArray(); // [n, K]
      latents = keepLatents ? z.toFloatArray() : null;
    }
    for (int i = 0; i < n; i++) {
      int[] ids = new int[k];
      for (int j = 0; j < k; j++) {
        ids[j] = (int) tokens[i * k + j];
      }
      TokenChunk chunk = new TokenChunk(ids);
      ready.add(chunk);
      if (keepLatents && !firstLatent.containsKey(chunk)) {
        float[] z = new float[l];
        System.arraycopy(latents, i * l, z, 0, l);
        firstLatent.put(chunk, z);
      }
    }
    computed += n;
  }
}
