package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.calmworkbench.backend.CalmException;

/**
 * The CALM language model (official {@code EnergyTransformer}, minus the frozen autoencoder):
 * it predicts the autoencoder's latent vector of the next chunk of K tokens from the chunks so far.
 * The generative head is the energy head by default, or a flow or diffusion head ({@link HeadConfig}).
 *
 * <pre>
 *   ids [B, P*K] -> embed_tokens -> [B, P, K*H] -> embed_proj -> [B, P, H]      (patch embeddings)
 *                -> transformer (causal Llama)  -> [B, P, H]                     (hidden states)
 *   hidden[:, p] -> mlp_generator(noise)        -> a sample of chunk p+1's latent [L]
 * </pre>
 *
 * The input of step p is chunk p itself (not its latent): the model's own discrete tokens are fed
 * back, so the Transformer never sees a noisy predicted vector. Training (per the official code)
 * uses patches 0..P-2 as inputs and chunks 1..P-1 as targets; see {@link #predictionHidden}.
 *
 * <p>Generation, one latent step at a time:
 * <ol>
 *   <li>{@code cache = newCache(m)}; {@code h = step(promptIds, cache)} runs the prompt's chunks
 *       (a multiple of K tokens) once and keeps their keys and values;
 *   <li>{@code z = sampleLatents(h[:, -1], 1)} draws the next chunk's latent;
 *   <li>the autoencoder decodes z to K tokens;
 *   <li>{@code h = step(thoseTokens, cache)} feeds them back (one position); repeat from 2.
 * </ol>
 */
public final class CalmModel extends CalmBlock {
  private final CalmConfig config;
  private final Backbone transformer;
  private final EmbedProj embedProj;
  private final GenerativeHead mlpGenerator;
  private final InputMode inputMode;
  private final LatentProj latentProj; // only for the LATENT and BOTH inputs
  private LatentScale latentScale; // null: the head predicts raw latents

  public CalmModel(CalmConfig config) {
    this(config, InputMode.DISCRETE);
  }

  /**
   * A model with the config's generative head. Every head is the child {@code mlp_generator}: the
   * energy head with the official tensor names, the flow and diffusion heads as {@code
   * mlp_generator.net.*} ({@link AdaLnMlp}).
   */
  public CalmModel(CalmConfig config, InputMode inputMode) {
    this.config = config;
    this.inputMode = inputMode;
    transformer = child("transformer", new Backbone(config.backbone()));
    embedProj = child("embed_proj", new EmbedProj(config));
    HeadConfig head = config.head();
    if (head instanceof HeadConfig.Energy e) {
      mlpGenerator = child("mlp_generator", new EnergyHead(config, e));
    } else if (head instanceof HeadConfig.Flow f) {
      mlpGenerator = child("mlp_generator", new FlowHead(config, f));
    } else {
      mlpGenerator = child("mlp_generator", new DiffusionHead(config, (HeadConfig.Diffusion) head));
    }
    latentProj = inputMode.usesLatents() ? child("latent_proj", new LatentProj(config)) : null;
  }

  public InputMode inputMode() {
    return inputMode;
  }

  /**
   * The parameters that receive gradients under this input mode (with latent input only, the token
   * embedding and embed_proj are not used and are left out of the optimizer).
   */
  public java.util.Map<String, ai.djl.nn.Parameter> trainableParameters() {
    java.util.Map<String, ai.djl.nn.Parameter> all = new java.util.LinkedHashMap<>(namedParameters());
    if (!inputMode.usesTokens()) {
      all.keySet().removeIf(n -> n.startsWith("embed_proj.") || n.equals("transformer.embed_tokens.weight"));
    }
    return all;
  }

  /**
   * The Transformer's input per chunk [B, P, H] under this model's input mode: from the chunks'
   * tokens ids [B, P*K] and/or their latent vectors [B, P, L] (either may be null if unused).
   */
  public NDArray inputs(NDArray ids, NDArray latents) {
    return inputs(ids, latents, null);
  }

  /** {@link #inputs(NDArray, NDArray)}, reading tokens through {@code folded} when it is not null. */
  public NDArray inputs(NDArray ids, NDArray latents, FoldedEmbedProj folded) {
    NDArray fromTokens = inputMode.usesTokens() ? (folded != null ? folded.forward(ids) : patchEmbeddings(ids)) : null;
    if (!inputMode.usesLatents()) {
      return fromTokens;
    }
    if (latents == null) {
      throw new IllegalArgumentException("input mode " + inputMode.key() + " needs the chunks' latent vectors");
    }
    NDArray fromLatents = latentProj.forward(latents);
    return fromTokens == null ? fromLatents : fromTokens.add(fromLatents);
  }

  public CalmConfig config() {
    return config;
  }

  public Backbone transformer() {
    return transformer;
  }

  public EmbedProj embedProj() {
    return embedProj;
  }

  /** The generative head, whichever type it is. */
  public GenerativeHead head() {
    return mlpGenerator;
  }

  public HeadConfig headConfig() {
    return config.head();
  }

  /**
   * The energy head.
   *
   * @throws CalmException if this model has another head (the message names it)
   */
  public EnergyHead energyHead() {
    if (mlpGenerator instanceof EnergyHead e) {
      return e;
    }
    throw new CalmException("this model has a " + config.head().type().key() + " head, not the energy head");
  }

  /** ids [B, P*K] int64 -> one input vector per chunk [B, P, H]. */
  public NDArray patchEmbeddings(NDArray ids) {
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    int k = config.patchSize();
    if (t % k != 0) {
      throw new CalmException("token sequence of length " + t + " is not a whole number of chunks of K = " + k);
    }
    NDArray chunks = transformer.embedTokens().forward(ids).reshape(b, t / k, (long) k * config.hiddenSize()); // [B, P, K*H]
    return embedProj.forward(chunks); // [B, P, H]
  }

  /** ids [B, P*K] -> hidden states [B, P, H]; hidden[:, p] predicts chunk p+1. */
  public NDArray hidden(NDArray ids) {
    return transformer.forward(patchEmbeddings(ids));
  }

  /**
   * The hidden states that have a target inside {@code ids} [B, P*K]: those of chunks 0..P-2, [B,
   * P-1, H], predicting chunks 1..P-1 (the official training forward drops the last chunk's input).
   */
  public NDArray predictionHidden(NDArray ids) {
    long t = ids.getShape().get(1);
    int k = config.patchSize();
    if (t < 2L * k) {
      throw new CalmException("need at least two chunks (" + 2 * k + " tokens) to predict one, got " + t);
    }
    return hidden(ids.get(":, :" + (t - k)));
  }

  @Override
  public NDArray forward(NDArray ids) {
    return hidden(ids);
  }

  /** An empty key/value cache for {@link #step}, on a sub-manager of {@code manager}. */
  public KvCache newCache(NDManager manager) {
    return transformer.newCache(manager);
  }

  /** An empty cache preallocated for {@code positions} positions (latent steps for CALM, tokens for AR). */
  public KvCache newCache(NDManager manager, long positions) {
    return transformer.newCache(manager, positions);
  }

  /**
   * Feeds n more chunks, ids [B, n*K], into the context held by {@code cache} and returns their
   * hidden states [B, n, H]; the last one predicts the chunk after them.
   */
  public NDArray step(NDArray chunkIds, KvCache cache) {
    return transformer.step(patchEmbeddings(chunkIds), cache);
  }

  /** {@link #step} under this model's input mode: chunk ids [B, n*K] and/or latents [B, n, L]. */
  public NDArray step(NDArray chunkIds, NDArray latents, KvCache cache) {
    return step(chunkIds, latents, cache, null);
  }

  /**
   * {@link #step(NDArray, NDArray, KvCache)} with {@code embed_proj}'s first layer read from
   * {@code folded} lookup tables (null: the plain matrix), as generation from a checkpoint does.
   */
  public NDArray step(NDArray chunkIds, NDArray latents, KvCache cache, FoldedEmbedProj folded) {
    return transformer.step(inputs(chunkIds, latents, folded), cache);
  }

  /**
   * {@code numSamples} draws of the next latent per position: hidden [..., H] -> [numSamples, ...,
   * L], as raw autoencoder latents (mapped back from the standardised space when the model has a
   * {@link LatentScale}).
   */
  public NDArray sampleLatents(NDArray hidden, int numSamples) {
    NDArray x = mlpGenerator.sample(hidden, numSamples);
    return latentScale == null ? x : latentScale.toRaw(hidden.getManager(), x);
  }

  /** The standardisation of the head's targets, or null when it predicts raw latents (the paper's choice). */
  public LatentScale latentScale() {
    return latentScale;
  }

  public void setLatentScale(LatentScale scale) {
    if (scale != null && scale.size() != config.latentSize()) {
      throw new IllegalArgumentException("latent scale of size " + scale.size() + " for latent_size " + config.latentSize());
    }
    this.latentScale = scale;
  }
}
