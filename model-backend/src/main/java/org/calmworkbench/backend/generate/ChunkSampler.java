package org.calmworkbench.backend.generate;

import ai.djl.ndarray.NDManager;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.sampling.BlackBoxSampler;
import org.calmworkbench.backend.sampling.TokenChunk;

/**
 * CALM's black box for one generation step of one sample: "draw fresh noise, let the generative
 * head turn it into a latent for the given hidden state (the energy head in one pass; the flow and
 * diffusion heads by running their ODE solver / reverse diffusion from Gaussian noise), decode that
 * latent with the autoencoder's argmax into K tokens". Every draw is independent; nobody knows its
 * probability.
 *
 * <p>The noise comes from the {@link SplittableRandom} the temperature sampler passes in (not from
 * the engine's RNG), so a seed fixes the generated text. Draws are computed in batches (one head +
 * decoder forward for many noise vectors, {@link ChunkPass}) and handed out one by one; the law is
 * the same as drawing one at a time. Draws computed but never handed out are not counted as sampler
 * calls. {@link #fill} computes the next batch of several samples' boxes in one shared pass.
 */
final class ChunkSampler implements BlackBoxSampler<TokenChunk> {
  /** Most draws one box computes at a time when their number is not known in advance (exact). */
  static final int MAX_BATCH = 256;

  private final ChunkPass pass;
  private final NDManager parent;
  private final float[] hidden; // [H], the condition of this step
  private final ArrayDeque<TokenChunk> ready = new ArrayDeque<>();
  private final Map<TokenChunk, float[]> firstLatent = new HashMap<>(); // chunk -> the first latent decoding to it
  private int planned; // draws the caller will take for sure (batch, greedy); 0 when unknown (exact)
  private int nextBatch; // size of the next batch when the count is unknown; doubles per refill
  private long computed;

  /**
   * @param parent the step's manager; each pass runs on (and frees) a sub-manager of it
   * @param hidden the step's hidden state [H]
   * @param planned draws certainly needed (a batch of N), or 0 if unknown
   * @param firstBatch batch size to start with when the count is unknown (e.g. ceil(1/T))
   */
  ChunkSampler(ChunkPass pass, NDManager parent, float[] hidden, int planned, int firstBatch) {
    this.pass = pass;
    this.parent = parent;
    this.hidden = hidden.clone();
    this.planned = planned;
    this.nextBatch = Math.max(1, Math.min(firstBatch, MAX_BATCH));
  }

  @Override
  public TokenChunk sample(SplittableRandom rng) {
    if (ready.isEmpty()) {
      fill(List.of(this), List.of(rng));
    }
    return ready.poll();
  }

  /**
   * The latent of the first draw that decoded to {@code chunk} [L], or null if none did (or the
   * pass does not keep latents).
   */
  float[] latentOf(TokenChunk chunk) {
    float[] z = firstLatent.get(chunk);
    return z == null ? null : z.clone();
  }

  /** Draws computed so far, including any not handed out. */
  long computed() {
    return computed;
  }

  /**
   * Computes the next draws of every box, box b drawing its noise from {@code rngs.get(b)}, in one
   * head pass and one decoder pass for all boxes (split into several only above {@link
   * ChunkPass#maxRows()} rows). Each box takes exactly the noise a lone refill would take at this
   * point: all its planned draws (nothing else reads its random stream between them), or the next
   * batch when the count is unknown. So a box filled here hands out the same draws as one filled
   * by itself, and its random stream is left in the same state.
   *
   * @param boxes sharing one {@link ChunkPass} and one step manager
   */
  static void fill(List<ChunkSampler> boxes, List<SplittableRandom> rngs) {
    if (boxes.isEmpty()) {
      return;
    }
    ChunkPass pass = boxes.get(0).pass;
    NDManager parent = boxes.get(0).parent;
    int h = boxes.get(0).hidden.length;
    int[] counts = new int[boxes.size()];
    float[][] noise = new float[boxes.size()][];
    int rows = 0;
    int noiseLength = 0;
    for (int b = 0; b < boxes.size(); b++) {
      counts[b] = boxes.get(b).takeCount(); // >= 1
      noise[b] = pass.noise(rngs.get(b), counts[b]);
      rows += counts[b];
      noiseLength += noise[b].length;
    }
    // One box: its hidden state [1, H], broadcast over its draws; several: [rows, H], each box's once per draw.
    boolean shared = boxes.size() == 1;
    float[] allHidden = shared ? boxes.get(0).hidden : new float[rows * h];
    float[] allNoise = new float[noiseLength]; // [rows, noiseSize]
    int row = 0;
    int at = 0;
    for (int b = 0; b < boxes.size(); b++) {
      for (int i = 0; !shared && i < counts[b]; i++) {
        System.arraycopy(boxes.get(b).hidden, 0, allHidden, (row + i) * h, h);
      }
      System.arraycopy(noise[b], 0, allNoise, at, noise[b].length);
      row += counts[b];
      at += noise[b].length;
    }
    ChunkPass.Drawn drawn = run(pass, parent, allHidden, h, allNoise, rows);
    int k = drawn.tokens().length / rows;
    int l = drawn.latents() == null ? 0 : drawn.latents().length / rows;
    row = 0;
    for (int b = 0; b < boxes.size(); b++) {
      boxes.get(b).accept(drawn, row, counts[b], k, l);
      row += counts[b];
    }
  }

  /**
   * {@code rows} draws in passes of at most {@link ChunkPass#maxRows()} rows, concatenated; {@code
   * hidden} is [1, H] (shared by all rows) or [rows, H].
   */
  private static ChunkPass.Drawn run(ChunkPass pass, NDManager parent, float[] hidden, int h, float[] noise,
      int rows) {
    int max = pass.maxRows();
    if (rows <= max) {
      return pass.run(parent, hidden, noise, rows);
    }
    boolean shared = hidden.length == h;
    int noiseSize = noise.length / rows;
    long[] tokens = null;
    float[] latents = null;
    for (int from = 0; from < rows; from += max) {
      int n = Math.min(max, rows - from);
      ChunkPass.Drawn part = pass.run(parent, shared ? hidden : Arrays.copyOfRange(hidden, from * h, (from + n) * h),
          Arrays.copyOfRange(noise, from * noiseSize, (from + n) * noiseSize), n);
      int k = part.tokens().length / n;
      tokens = tokens == null ? new long[rows * k] : tokens;
      System.arraycopy(part.tokens(), 0, tokens, from * k, n * k);
      if (part.latents() != null) {
        int l = part.latents().length / n;
        latents = latents == null ? new float[rows * l] : latents;
        System.arraycopy(part.latents(), 0, latents, from * l, n * l);
      }
    }
    return new ChunkPass.Drawn(tokens, latents);
  }

  /** How many draws the next fill computes for this box; uses them up from the plan. */
  private int takeCount() {
    if (planned > 0) {
      int n = planned;
      planned = 0;
      return n;
    }
    int n = nextBatch;
    nextBatch = Math.min(2 * nextBatch, MAX_BATCH);
    return n;
  }

  /** Queues rows {@code from .. from + n - 1} of a pass. */
  private void accept(ChunkPass.Drawn drawn, int from, int n, int k, int l) {
    long[] tokens = drawn.tokens();
    for (int i = from; i < from + n; i++) {
      int[] ids = new int[k];
      for (int j = 0; j < k; j++) {
        ids[j] = (int) tokens[i * k + j];
      }
      TokenChunk chunk = new TokenChunk(ids);
      ready.add(chunk);
      if (drawn.latents() != null && !firstLatent.containsKey(chunk)) {
        firstLatent.put(chunk, Arrays.copyOfRange(drawn.latents(), i * l, (i + 1) * l));
      }
    }
    computed += n;
  }
}
