package org.calmworkbench.backend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.GenerativeHead;
import org.calmworkbench.backend.train.CalmCheckpoint;

/**
 * The network work of CALM's black box for a batch of draws: noise -> generative head -> latent ->
 * the autoencoder's argmax -> K tokens, as one head pass and one decoder pass over all rows. The
 * rows share one hidden state (one sample's draws: it is broadcast, so the head embeds it once) or
 * carry one each, so that the draws of several samples, each conditioned on its own context, share
 * one pass ({@link ChunkSampler#fill}).
 */
interface ChunkPass {
  /** Logits one pass may hold ([rows, K, V] floats, 64 MB): above it a fill is split into passes. */
  long LOGITS_PER_PASS = 1L << 24;

  /**
   * What one pass drew.
   *
   * @param tokens [rows, K] row-major
   * @param latents [rows, L] row-major (the raw latents the decoder read), or null when not kept
   */
  record Drawn(long[] tokens, float[] latents) {}

  /** Noise for {@code n} draws from {@code rng}, row-major [n, noiseSize], as the head was trained with. */
  float[] noise(SplittableRandom rng, int n);

  /**
   * One head pass and one decoder pass.
   *
   * @param parent the step's manager; the pass runs on (and frees) a sub-manager of it
   * @param hidden the condition: [1, H] for all rows, or [rows, H], one per draw
   * @param noise [rows, noiseSize]
   */
  Drawn run(NDManager parent, float[] hidden, float[] noise, int rows);

  /** Most rows one pass takes. */
  int maxRows();

  /** The checkpoint's head and decoder; latents are copied back for the input modes that feed them. */
  static ChunkPass of(CalmCheckpoint ck) {
    return new Forward(ck.model(), ck.autoencoder(), ck.model().inputMode().usesLatents());
  }

  /** The real pass, on the engine. */
  final class Forward implements ChunkPass {
    private final CalmModel model;
    private final Autoencoder autoencoder;
    private final boolean keepLatents; // the latent and both input modes feed the chosen chunk's latent back
    private final int maxRows;

    Forward(CalmModel model, Autoencoder autoencoder, boolean keepLatents) {
      this.model = model;
      this.autoencoder = autoencoder;
      this.keepLatents = keepLatents;
      long logitsPerRow = (long) model.config().patchSize() * autoencoder.config().vocabSize();
      // Never fewer rows than one sample's batch (ChunkSampler.MAX_BATCH), so one sample is one pass as before.
      this.maxRows = (int) Math.max(ChunkSampler.MAX_BATCH, Math.min(1 << 20, LOGITS_PER_PASS / logitsPerRow));
    }

    @Override
    public float[] noise(SplittableRandom rng, int n) {
      // The energy head's U[-0.5, 0.5), or the flow/diffusion heads' N(0, I).
      return model.head().hostNoise(rng, n);
    }

    @Override
    public Drawn run(NDManager parent, float[] hidden, float[] noise, int rows) {
      GenerativeHead head = model.head();
      int l = model.config().latentSize();
      try (NDManager m = parent.newSubManager()) {
        int h = model.config().hiddenSize();
        NDArray condition = m.create(hidden, new Shape(hidden.length / h, h)); // [1 or rows, H]
        NDArray z = head.generate(condition, m.create(noise, new Shape(rows, head.noiseSize()))); // [rows, L]
        if (model.latentScale() != null) { // the head predicts standardised latents
          z = model.latentScale().toRaw(m, z);
        }
        long[] tokens = autoencoder.decodeGreedy(z.reshape(rows, 1, l)).toLongArray(); // [rows, K]
        return new Drawn(tokens, keepLatents ? z.toFloatArray() : null);
      }
    }

    @Override
    public int maxRows() {
      return maxRows;
    }
  }
}
