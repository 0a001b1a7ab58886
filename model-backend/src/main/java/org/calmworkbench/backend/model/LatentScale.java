package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;

/**
 * Per-dimension standardisation of CALM's target latents, a recipe option (the LM setting {@code
 * standardize_latents}): the head predicts {@code x = (z - mean) / std} instead of the
 * autoencoder's raw latent z, with mean and std of the posterior means measured on training chunks
 * when the run starts. The energy loss is then computed in the standardised space (each dimension
 * weighs the same in its distances), and {@link CalmModel#sampleLatents} maps samples back to raw
 * latents, so decoding, BrierLM and generation are unchanged. Stored beside the weights as {@link
 * #FILE}; a checkpoint without it predicts raw latents (the paper's choice).
 */
public final class LatentScale {
  /** The file in a CALM checkpoint folder that holds the statistics. */
  public static final String FILE = "latent_scale.json";

  /** Training chunks encoded to measure the statistics. */
  public static final int CHUNKS = 8192;

  /** Smallest std used, so a dimension the encoder never moves does not blow up. */
  static final double MIN_STD = 1e-3;

  private final float[] mean;
  private final float[] std;

  public LatentScale(float[] mean, float[] std) {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException("mean and std must have the same positive length");
    }
    this.mean = mean.clone();
    this.std = std.clone();
    for (int i = 0; i < this.std.length; i++) {
      if (!(this.std[i] > 0) || !Float.isFinite(this.mean[i])) {
        throw new IllegalArgumentException("std must be positive and mean finite, dimension " + i);
      }
    }
  }

  public int size() {
    return mean.length;
  }

  public float[] mean() {
    return mean.clone();
  }

  public float[] std() {
    return std.clone();
  }

  /**
   * Mean and std (per dimension) of the posterior means of up to {@link #CHUNKS} chunks spread over
   * {@code train}, encoded by {@code ae}.
   */
  public static LatentScale measure(Autoencoder ae, TokenIds train, NDManager root) {
    int k = ae.config().patchSize();
    int l = ae.config().latentSize();
    long available = train.size() / k;
    int chunks = (int) Math.min(CHUNKS, available);
    if (chunks < 2) {
      throw new CalmException("the training split has too few chunks (" + available + ") to standardise the latents");
    }
    long stride = available / chunks;
    int[] ids = new int[chunks * k];
    int[] one = new int[k];
    for (int c = 0; c < chunks; c++) {
      train.copy(c * stride * k, one, 0, k);
      System.arraycopy(one, 0, ids, c * k, k);
    }
    double[] sum = new double[l];
    double[] squares = new double[l];
    try (NDManager m = root.newSubManager()) {
      NDArray input = m.create(ids, new Shape(chunks, k)).toType(DataType.INT64, false);
      NDList meanLogStd = ae.encode(input).split(2, 2); // [C, 1, L]
      float[] mu = meanLogStd.get(0).toFloatArray();
      for (int i = 0; i < mu.length; i++) {
        sum[i % l] += mu[i];
        squares[i % l] += (double) mu[i] * mu[i];
      }
    }
    float[] mean = new float[l];
    float[] std = new float[l];
    for (int d = 0; d < l; d++) {
      double m = sum[d] / chunks;
      mean[d] = (float) m;
      std[d] = (float) Math.max(MIN_STD, Math.sqrt(Math.max(0, squares[d] / chunks - m * m)));
    }
    return new LatentScale(mean, std);
  }

  /** Standardised values {@code (z - mean) / std} of raw latents z [..., L]; constants on {@code m}. */
  public NDArray standardize(NDManager m, NDArray z) {
    return z.sub(m.create(mean)).div(m.create(std));
  }

  /** A posterior std (or any spread) [..., L] in standardised units: {@code sigma / std}. */
  public NDArray standardizeSpread(NDManager m, NDArray sigma) {
    return sigma.div(m.create(std));
  }

  /** Raw latents {@code x * std + mean} of standardised x [..., L]; constants on {@code m}. */
  public NDArray toRaw(NDManager m, NDArray x) {
    return x.mul(m.create(std)).add(m.create(mean));
  }

  /** Writes the statistics as JSON. */
  public byte[] toJson() {
    JsonObject o = new JsonObject();
    JsonArray m = new JsonArray();
    JsonArray s = new JsonArray();
    for (int i = 0; i < mean.length; i++) {
      m.add(mean[i]);
      s.add(std[i]);
    }
    o.add("mean", m);
    o.add("std", s);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The statistics in {@code dir}'s {@link #FILE}, if there is one; its length must be {@code latentSize}. */
  public static Optional<LatentScale> read(Path dir, int latentSize) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      JsonArray m = o.getAsJsonArray("mean");
      JsonArray s = o.getAsJsonArray("std");
      if (m == null || s == null || m.size() != latentSize || s.size() != latentSize) {
        throw new CalmException(file + ": mean and std must be arrays of latent_size " + latentSize + " numbers");
      }
      float[] mean = new float[latentSize];
      float[] std = new float[latentSize];
      for (int i = 0; i < latentSize; i++) {
        mean[i] = m.get(i).getAsFloat();
        std[i] = s.get(i).getAsFloat();
      }
      return Optional.of(new LatentScale(mean, std));
    } catch (IOException | RuntimeException e) {
      if (e instanceof CalmException c) {
        throw c;
      }
      throw new CalmException(file + ": not a readable latent scale (" + e.getMessage() + ")", e);
    }
  }
}
