package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The CALM autoencoder: K tokens -> one latent vector -> K tokens, trained as a VAE so that the
 * latent space tolerates noise (the language model's predictions are never exact).
 *
 * <p>Training objective (per the paper's code): mask input tokens to id 0 with probability
 * {@code ae_dropout}; z = mean + eps * std; latent dropout; loss = K * CE + kl_weight * KL, where
 * KL per dimension = 0.5 (mean^2 + std^2 - 1 - 2 log_std) is clamped below at {@code kl_clamp},
 * summed over dimensions and averaged over patches.
 */
public final class Autoencoder extends CalmBlock {
  private final AutoencoderConfig config;
  private final Encoder encoder;
  private final Decoder decoder;

  public Autoencoder(AutoencoderConfig config) {
    this.config = config;
    this.encoder = child("encoder", new Encoder(config));
    this.decoder = child("decoder", new Decoder(config, encoder.embedTokens().weightParameter()));
  }

  public AutoencoderConfig config() {
    return config;
  }

  public Encoder encoder() {
    return encoder;
  }

  public Decoder decoder() {
    return decoder;
  }

  /** ids [B, P*K] -> encoder output [B, P, 2L] (mean ++ log_std). */
  public NDArray encode(NDArray ids) {
    return encoder.forward(ids);
  }

  /** latent [B, P, L] -> logits [B, P*K, V]. */
  public NDArray decode(NDArray latent) {
    return decoder.forward(latent);
  }

  /** latent [B, P, L] -> argmax token ids [B, P*K] (int64). */
  public NDArray decodeGreedy(NDArray latent) {
    return decode(latent).argMax(-1);
  }

  /** The encoder's mean [B, P, L] (the first half of its output). */
  public NDArray encodeMean(NDArray ids) {
    return encode(ids).split(2, 2).get(0);
  }

  /**
   * Multiply-accumulates per token in the forward pass, counting matrix products only (norms,
   * activations and the embedding lookup are negligible). Chunk-level layers run once per K tokens.
   * Training costs about 3x this in multiply-adds (forward + two backward products), i.e. 6x in FLOPs.
   */
  public double matmulParamsPerToken() {
    AutoencoderConfig c = config;
    double h = c.hiddenSize();
    double mlp = 3 * h * c.intermediateSize(); // gate, up, down
    double k = c.patchSize();
    double encoder = c.numEncoderLayers() / 2 * mlp // per token, before the squeeze
        + h * h // squeeze: K*H -> H once per chunk = H*H per token
        + c.numEncoderLayers() / 2 * mlp / k // per chunk
        + 2.0 * c.latentSize() * h / k; // hidden_to_latent per chunk
    double decoder = c.latentSize() * h / k // latent_to_hidden per chunk
        + c.numDecoderLayers() / 2 * mlp / k // per chunk
        + h * h // expand: H -> K*H once per chunk
        + c.numDecoderLayers() / 2 * mlp // per token
        + h * c.vocabSize(); // tied output projection
    return encoder + decoder;
  }

  /** Training FLOPs per token: 6 x matmul parameters per token (2 forward + 4 backward). */
  public double trainingFlopsPerToken() {
    return 6 * matmulParamsPerToken();
  }

  @Override
  public NDArray forward(NDArray ids) {
    return encode(ids);
  }

  /** The loss terms of one batch; all scalars on the batch's manager. */
  public record Loss(NDArray total, NDArray ce, NDArray kl, NDArray tokenAccuracy) {}

  /**
   * The VAE loss on {@code ids} [B, P*K].
   *
   * @param eps reparameterisation noise [B, P, L], or null to draw it from N(0, 1)
   * @param training whether to apply token masking and latent dropout
   */
  public Loss loss(NDArray ids, NDArray eps, boolean training) {
    NDManager m = ids.getManager();
    NDArray input = training && config.aeDropout() > 0 ? maskTokens(ids) : ids;
    NDList meanLogStd = encode(input).split(2, 2); // 2 x [B, P, L]
    NDArray mean = meanLogStd.get(0);
    NDArray logStd = meanLogStd.get(1);
    NDArray std = logStd.exp();
    if (eps == null) {
      eps = m.randomNormal(mean.getShape());
    }
    NDArray z = mean.add(eps.mul(std)); // [B, P, L]
    if (training && config.aeDropout() > 0) {
      z = dropout(z, config.aeDropout());
    }
    // KL(N(mean, std^2) || N(0, 1)) per dim, clamped below ("free bits"), summed, averaged.
    NDArray klPerDim =
        mean.square().add(std.square()).sub(m.create(1f)).sub(logStd.mul(m.create(2f))).mul(m.create(0.5f));
    NDArray kl = klPerDim.maximum(m.create((float) config.klClamp())).sum(new int[] {2}).mean();

    NDArray logits = decode(z); // [B, T, V]
    long n = logits.getShape().get(0) * logits.getShape().get(1);
    NDArray flat = logits.reshape(n, config.vocabSize());
    NDArray labels = ids.reshape(n, 1);
    NDArray ce = flat.logSoftmax(1).gather(labels, 1).mean().neg();
    NDArray total = ce.mul(m.create((float) config.patchSize())).add(kl.mul(m.create((float) config.klWeight())));
    NDArray acc = flat.argMax(1).eq(labels.reshape(n)).toType(DataType.FLOAT32, false).mean();
    return new Loss(total, ce, kl, acc);
  }

  /** Replaces each token by id 0 with probability ae_dropout. */
  private NDArray maskTokens(NDArray ids) {
    NDManager m = ids.getManager();
    NDArray keep = m.randomUniform(0f, 1f, ids.getShape()).gte(m.create((float) config.aeDropout()));
    return ids.mul(keep.toType(ids.getDataType(), false));
  }

  /** Inverted dropout: zero each element with probability p, scale the rest by 1/(1-p). */
  static NDArray dropout(NDArray x, double p) {
    NDManager m = x.getManager();
    NDArray keep = m.randomUniform(0f, 1f, x.getShape()).gte(m.create((float) p)).toType(DataType.FLOAT32, false);
    return x.mul(keep).mul(m.create((float) (1.0 / (1.0 - p))));
  }
}
