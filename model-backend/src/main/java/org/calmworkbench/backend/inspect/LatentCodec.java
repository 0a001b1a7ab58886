package org.calmworkbench.backend.inspect;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * Text to chunk latents and back, for inspection: {@code calm ae encode/decode} and the GUI's
 * reconstruction inspector (where a sigma slider adds noise to every chunk's latent).
 */
public final class LatentCodec {
  /** Id used to pad the last chunk to K tokens (the id masked tokens take in training). */
  public static final int PAD_ID = 0;

  /**
   * Most tokens encoded (or decoded) in one call. The whole text is one batch through the model, so
   * its activations grow with it: a 50 MB file given to {@code ae encode --input} (9 M chunks) took
   * 23 GB before the kernel killed the process. 65,536 tokens (some 250 kB of English) need about
   * 130 MB per activation of the laptop preset; an inspection does not need more.
   */
  public static final int MAX_TOKENS = 1 << 16;

  private final Autoencoder ae;
  private final Tokenizer tokenizer;
  private final NDManager manager;

  public LatentCodec(Autoencoder ae, Tokenizer tokenizer, NDManager manager) {
    this.ae = ae;
    this.tokenizer = tokenizer;
    this.manager = manager;
  }

  /** One chunk of K token ids with its latent Gaussian. */
  public record Chunk(int index, int[] ids, String text, float[] mean, float[] logStd) {}

  /** A text as chunks; the last chunk is padded with {@link #PAD_ID} ({@code padding} ids). */
  public record Encoded(int[] ids, int padding, List<Chunk> chunks) {}

  /** A reconstruction: per chunk the decoded ids, and how many differ from the input. */
  public record Decoded(int[] ids, String text, List<int[]> chunks, int[] mismatches) {}

  public int patchSize() {
    return ae.config().patchSize();
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  public int[] tokenize(String text) {
    int[] ids = tokenizer.encode(text);
    if (ids.length == 0) {
      throw new CalmException("the text is empty: nothing to encode");
    }
    if (ids.length > MAX_TOKENS) {
      throw new CalmException(String.format(Locale.ROOT, "the text is %,d tokens (%,d characters), more than the %,d"
          + " encoded at once; give a part of it", ids.length, text.length(), MAX_TOKENS));
    }
    int k = patchSize();
    int padded = (ids.length + k - 1) / k * k;
    int[] out = Arrays.copyOf(ids, padded);
    Arrays.fill(out, ids.length, padded, PAD_ID);
    return out;
  }

  public Encoded encode(String text) {
    int[] ids = tokenize(text);
    int padding = ids.length - tokenizer.encode(text).length;
    int k = patchSize();
    int n = ids.length / k;
    int l = ae.config().latentSize();
    try (NDManager m = manager.newSubManager()) {
      float[] out = ae.encode(m.create(toLongs(ids), new Shape(1, ids.length))).toFloatArray(); // [1, P, 2L]
      List<Chunk> chunks = new ArrayList<>();
      for (int p = 0; p < n; p++) {
        int[] cids = Arrays.copyOfRange(ids, p * k, (p + 1) * k);
        chunks.add(new Chunk(p, cids, tokenizer.decode(cids),
            Arrays.copyOfRange(out, p * 2 * l, p * 2 * l + l), Arrays.copyOfRange(out, p * 2 * l + l, (p + 1) * 2 * l)));
      }
      return new Encoded(ids, padding, chunks);
    }
  }

  /**
   * Decodes latents [P][L] after adding N(0, sigma^2) noise to each, by argmax.
   *
   * @param reference ids to count mismatches against (may be null)
   */
  public Decoded decode(float[][] latents, double sigma, long seed, int[] reference) {
    int l = ae.config().latentSize();
    int k = patchSize();
    if (latents.length == 0) {
      throw new CalmException("no latents to decode");
    }
    if ((long) latents.length * k > MAX_TOKENS) {
      throw new CalmException(String.format(Locale.ROOT, "%,d latents (%,d tokens) are more than the %,d tokens"
          + " decoded at once; give a part of them", latents.length, (long) latents.length * k, MAX_TOKENS));
    }
    float[] flat = new float[latents.length * l];
    for (int p = 0; p < latents.length; p++) {
      if (latents[p].length != l) {
        throw new CalmException("latent " + p + " has " + latents[p].length + " values but the autoencoder's latent_size is " + l);
      }
      System.arraycopy(latents[p], 0, flat, p * l, l);
    }
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new CalmException("sigma must be a finite number >= 0, got " + sigma);
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray z = m.create(flat, new Shape(1, latents.length, l));
      if (sigma > 0) {
        Engine.getInstance().setRandomSeed((int) seed);
        z = z.add(m.randomNormal(z.getShape()).mul(m.create((float) sigma)));
      }
      int[] ids = toInts(ae.decodeGreedy(z).toLongArray());
      List<int[]> chunks = new ArrayList<>();
      int[] mismatches = new int[latents.length];
      for (int p = 0; p < latents.length; p++) {
        chunks.add(Arrays.copyOfRange(ids, p * k, (p + 1) * k));
        if (reference != null) {
          for (int j = 0; j < k; j++) {
            if (p * k + j < reference.length && reference[p * k + j] != ids[p * k + j]) {
              mismatches[p]++;
            }
          }
        }
      }
      return new Decoded(ids, tokenizer.decode(stripPadding(ids)), chunks, mismatches);
    }
  }

  /** Encodes {@code text}, adds noise of {@code sigma} to each chunk's mean, and decodes. */
  public Decoded reconstruct(String text, double sigma, long seed) {
    Encoded e = encode(text);
    float[][] means = e.chunks().stream().map(Chunk::mean).toArray(float[][]::new);
    // The padding positions of the last chunk are not part of the text: they are neither compared
    // nor shown.
    int real = e.ids().length - e.padding();
    Decoded d = decode(means, sigma, seed, Arrays.copyOf(e.ids(), real));
    return new Decoded(d.ids(), tokenizer.decode(Arrays.copyOf(d.ids(), real)), d.chunks(), d.mismatches());
  }

  private static int[] stripPadding(int[] ids) {
    int n = ids.length;
    while (n > 0 && ids[n - 1] == PAD_ID) {
      n--;
    }
    return Arrays.copyOf(ids, n);
  }

  static long[] toLongs(int[] a) {
    long[] out = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  static int[] toInts(long[] a) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (int) a[i];
    }
    return out;
  }
}
