package org.calmworkbench.backend.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleConsumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * A map of the latent space: held-out chunks encoded to their latent means and laid out in 2-D by
 * {@link Pca}, with what the GUI's Latent explorer asks of it: each chunk's text and decode, a
 * Gaussian noise cloud around one chunk (which noisy latents still decode to the chunk), and the
 * decodes along the straight line between two chunks.
 *
 * <p>Chunks are cut from the start of each held-out document (documents split at the tokenizer's
 * end-of-text id), so a chunk's position is its index within its document and no chunk straddles
 * two documents. Noise is drawn in Java from a seeded {@link Random}, so a cloud is the same on
 * every run and its samples can be projected onto the same axes as the chunks.
 *
 * <p>The map borrows the autoencoder (it does not close it). Call it on one thread: the
 * workbench's service thread, where every DJL call runs in a sub-manager per batch.
 */
public final class LatentMap {
  /** Chunks encoded or decoded per batch (bounded native memory for any number of chunks). */
  static final int BATCH = 512;
  public static final int MAX_SAMPLES = 2048;
  public static final int MAX_STEPS = 200;

  /** Held-out chunks of K ids: {@code ids} flat [count * K], and per chunk its document and position in it. */
  public record Chunks(int patchSize, long[] ids, int[] documents, int[] positions) {
    public int count() {
      return positions.length;
    }

    int[] chunk(int i) {
      int[] out = new int[patchSize];
      for (int j = 0; j < patchSize; j++) {
        out[j] = (int) ids[i * patchSize + j];
      }
      return out;
    }
  }

  /**
   * One chunk on the map.
   *
   * @param position the chunk's index within its document (0 = the document's first K tokens)
   * @param decoded the argmax decode of the mean; {@code errors} of its K ids differ from {@code ids}
   */
  public record Point(int index, int document, int position, int[] ids, String text, String firstToken,
      float[] mean, double x, double y, int[] decoded, String decodedText, int errors) {
    public boolean correct() {
      return errors == 0;
    }
  }

  /** One noisy latent z + sigma * eps: where it lies on the map and what it decodes to. */
  public record Sample(double x, double y, int[] decoded, String text, boolean correct, boolean matchesMean) {}

  /** A distinct decode of a cloud: its text, how many samples gave it, and whether it is the chunk. */
  public record Outcome(String text, int count, boolean correct) {}

  /** M noisy copies of one chunk's latent mean, decoded. */
  public record Cloud(int point, double sigma, long seed, List<Sample> samples, List<Outcome> outcomes) {
    /** How many samples decode to exactly the chunk's K tokens. */
    public long correct() {
      return samples.stream().filter(Sample::correct).count();
    }

    /** Share of the samples that decode to exactly the chunk's K tokens. */
    public double fractionCorrect() {
      return samples.isEmpty() ? 0 : correct() / (double) samples.size();
    }
  }

  /** One step of an interpolation: t, the point (1-t) z_a + t z_b on the map, its decode, and whether it differs from the step before. */
  public record Step(double t, double x, double y, int[] decoded, String text, boolean changed) {}

  /** Decodes along the line from chunk {@code from} (t = 0) to chunk {@code to} (t = 1). */
  public record Interpolation(int from, int to, List<Step> steps) {
    /** The t values at which the decoded text changes. */
    public List<Double> changes() {
      return steps.stream().filter(Step::changed).map(Step::t).toList();
    }
  }

  private final Autoencoder ae;
  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final Pca pca;
  private final List<Point> points;

  private LatentMap(Autoencoder ae, Tokenizer tokenizer, NDManager manager, Pca pca, List<Point> points) {
    this.ae = ae;
    this.tokenizer = tokenizer;
    this.manager = manager;
    this.pca = pca;
    this.points = points;
  }

  /**
   * Up to {@code max} chunks of K ids, cut from the start of each document of {@code ids} in order
   * (a document's last tokens that do not fill a chunk are left out).
   *
   * @param eosId the id that separates documents, or -1 if the ids are one document
   */
  public static Chunks documentChunks(TokenIds ids, int k, int eosId, int max) {
    if (k < 1) {
      throw new CalmException("K must be at least 1, got " + k);
    }
    if (max < 1) {
      throw new CalmException("the number of chunks must be at least 1, got " + max);
    }
    long[] out = new long[Math.toIntExact(Math.min((long) max, ids.size() / k + 1) * k)];
    List<int[]> meta = new ArrayList<>();
    int[] chunk = new int[k];
    int fill = 0;
    int document = 0;
    int position = 0;
    for (long i = 0; i < ids.size() && meta.size() < max; i++) {
      int id = ids.get(i);
      if (id == eosId) {
        fill = 0;
        position = 0;
        document++;
        continue;
      }
      chunk[fill++] = id;
      if (fill == k) {
        int c = meta.size();
        for (int j = 0; j < k; j++) {
          out[c * k + j] = chunk[j];
        }
        meta.add(new int[] {document, position});
        position++;
        fill = 0;
      }
    }
    int n = meta.size();
    int[] documents = new int[n];
    int[] positions = new int[n];
    for (int c = 0; c < n; c++) {
      documents[c] = meta.get(c)[0];
      positions[c] = meta.get(c)[1];
    }
    return new Chunks(k, Arrays.copyOf(out, n * k), documents, positions);
  }

  /**
   * Encodes every chunk to its latent mean, decodes the mean again, and lays the means out on
   * their first two principal axes.
   *
   * @param progress receives the fraction done in [0, 1] (may be null)
   */
  public static LatentMap build(Autoencoder ae, Tokenizer tokenizer, NDManager manager, Chunks chunks,
      DoubleConsumer progress) {
    int k = ae.config().patchSize();
    if (chunks.patchSize() != k) {
      throw new CalmException("chunks of " + chunks.patchSize() + " tokens, but the autoencoder's K is " + k);
    }
    int n = chunks.count();
    if (n < 2) {
      throw new CalmException("a latent map needs at least 2 chunks, got " + n
          + ": the held-out text is shorter than two chunks of K=" + k + " tokens");
    }
    float[][] means = new float[n][];
    for (int from = 0; from < n; from += BATCH) {
      int count = Math.min(BATCH, n - from);
      long[] ids = Arrays.copyOfRange(chunks.ids(), from * k, (from + count) * k);
      try (NDManager m = manager.newSubManager()) {
        float[] flat = ae.encodeMean(m.create(ids, new Shape(count, k))).toFloatArray(); // [count, 1, L]
        int l = flat.length / count;
        for (int i = 0; i < count; i++) {
          means[from + i] = Arrays.copyOfRange(flat, i * l, (i + 1) * l);
        }
      }
      if (progress != null) {
        progress.accept(0.5 * (from + count) / n);
      }
    }
    int[][] decoded = decode(ae, manager, means, f -> {
      if (progress != null) {
        progress.accept(0.5 + 0.5 * f);
      }
    });
    Pca pca = Pca.fit(means, 2);
    List<Point> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] ids = chunks.chunk(i);
      double[] xy = pca.project(means[i]);
      points.add(new Point(i, chunks.documents()[i], chunks.positions()[i], ids, tokenizer.decode(ids),
          tokenizer.decode(new int[] {ids[0]}), means[i], xy[0], xy[1], decoded[i], tokenizer.decode(decoded[i]),
          mismatches(ids, decoded[i])));
    }
    return new LatentMap(ae, tokenizer, manager, pca, Collections.unmodifiableList(points));
  }

  public List<Point> points() {
    return points;
  }

  public Pca pca() {
    return pca;
  }

  public int patchSize() {
    return ae.config().patchSize();
  }

  public int latentSize() {
    return ae.config().latentSize();
  }

  /** Where {@code latent} lies on the map's axes. */
  public double[] project(float[] latent) {
    return pca.project(latent);
  }

  /** Token mismatches of every chunk when its mean gets noise sigma (seeded) before decoding. */
  public int[] errorsAt(double sigma, long seed) {
    checkSigma(sigma);
    Random rng = new Random(seed);
    float[][] zs = new float[points.size()][];
    for (int i = 0; i < zs.length; i++) {
      zs[i] = noisy(points.get(i).mean(), sigma, rng);
    }
    int[][] decoded = decode(ae, manager, zs, null);
    int[] out = new int[zs.length];
    for (int i = 0; i < zs.length; i++) {
      out[i] = mismatches(points.get(i).ids(), decoded[i]);
    }
    return out;
  }

  /**
   * {@code samples} latents z = mu + sigma * eps (eps ~ N(0, I), seeded) around chunk {@code point},
   * decoded and projected onto the map.
   */
  public Cloud cloud(int point, double sigma, int samples, long seed) {
    Point p = point(point);
    checkSigma(sigma);
    if (samples < 1 || samples > MAX_SAMPLES) {
      throw new CalmException("a noise cloud has 1 to " + MAX_SAMPLES + " samples, got " + samples);
    }
    Random rng = new Random(seed);
    float[][] zs = new float[samples][];
    for (int i = 0; i < samples; i++) {
      zs[i] = noisy(p.mean(), sigma, rng);
    }
    int[][] decoded = decode(ae, manager, zs, null);
    List<Sample> out = new ArrayList<>(samples);
    Map<String, int[]> counts = new LinkedHashMap<>(); // text -> {count, correct}
    for (int i = 0; i < samples; i++) {
      double[] xy = pca.project(zs[i]);
      boolean correct = Arrays.equals(decoded[i], p.ids());
      String text = tokenizer.decode(decoded[i]);
      out.add(new Sample(xy[0], xy[1], decoded[i], text, correct, Arrays.equals(decoded[i], p.decoded())));
      counts.computeIfAbsent(text, t -> new int[] {0, correct ? 1 : 0})[0]++;
    }
    List<Outcome> outcomes = new ArrayList<>();
    counts.forEach((t, c) -> outcomes.add(new Outcome(t, c[0], c[1] == 1)));
    outcomes.sort((a, b) -> Integer.compare(b.count(), a.count()));
    return new Cloud(point, sigma, seed, Collections.unmodifiableList(out), Collections.unmodifiableList(outcomes));
  }

  /** Decodes (1 - t) z_a + t z_b for t = 0, 1/steps, ..., 1 between the means of chunks {@code a} and {@code b}. */
  public Interpolation interpolate(int a, int b, int steps) {
    Point pa = point(a);
    Point pb = point(b);
    if (steps < 1 || steps > MAX_STEPS) {
      throw new CalmException("an interpolation has 1 to " + MAX_STEPS + " steps, got " + steps);
    }
    int l = pa.mean().length;
    float[][] zs = new float[steps + 1][l];
    for (int s = 0; s <= steps; s++) {
      double t = (double) s / steps;
      for (int j = 0; j < l; j++) {
        zs[s][j] = (float) ((1 - t) * pa.mean()[j] + t * pb.mean()[j]);
      }
    }
    int[][] decoded = decode(ae, manager, zs, null);
    List<Step> out = new ArrayList<>(steps + 1);
    for (int s = 0; s <= steps; s++) {
      double[] xy = pca.project(zs[s]);
      boolean changed = s > 0 && !Arrays.equals(decoded[s], decoded[s - 1]);
      out.add(new Step((double) s / steps, xy[0], xy[1], decoded[s], tokenizer.decode(decoded[s]), changed));
    }
    return new Interpolation(a, b, Collections.unmodifiableList(out));
  }

  private Point point(int i) {
    if (i < 0 || i >= points.size()) {
      throw new CalmException("no chunk " + i + " on the map (it has " + points.size() + ")");
    }
    return points.get(i);
  }

  private static void checkSigma(double sigma) {
    if (!(sigma >= 0) || Double.isInfinite(sigma)) {
      throw new CalmException("sigma must be a finite number >= 0, got " + sigma);
    }
  }

  private static float[] noisy(float[] mean, double sigma, Random rng) {
    float[] z = new float[mean.length];
    for (int j = 0; j < z.length; j++) {
      z[j] = (float) (mean[j] + sigma * rng.nextGaussian());
    }
    return z;
  }

  /** Greedy decodes of latents [n][L], one chunk each, in batches. */
  static int[][] decode(Autoencoder ae, NDManager manager, float[][] zs, DoubleConsumer progress) {
    int k = ae.config().patchSize();
    int l = ae.config().latentSize();
    int n = zs.length;
    int[][] out = new int[n][];
    for (int from = 0; from < n; from += BATCH) {
      int count = Math.min(BATCH, n - from);
      float[] flat = new float[count * l];
      for (int i = 0; i < count; i++) {
        if (zs[from + i].length != l) {
          throw new CalmException("latent of " + zs[from + i].length + " values, but the autoencoder's latent_size is " + l);
        }
        System.arraycopy(zs[from + i], 0, flat, i * l, l);
      }
      try (NDManager m = manager.newSubManager()) {
        NDArray z = m.create(flat, new Shape(count, 1, l));
        long[] ids = ae.decodeGreedy(z).toLongArray(); // [count * K]
        for (int i = 0; i < count; i++) {
          out[from + i] = LatentCodec.toInts(Arrays.copyOfRange(ids, i * k, (i + 1) * k));
        }
      }
      if (progress != null) {
        progress.accept((double) (from + count) / n);
      }
    }
    return out;
  }

  static int mismatches(int[] expected, int[] actual) {
    int e = 0;
    for (int j = 0; j < expected.length; j++) {
      e += expected[j] == actual[j] ? 0 : 1;
    }
    return e;
  }
}
