package org.calmworkbench.app.gui.common;

import javafx.scene.Node;
import javafx.scene.control.Control;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/**
 * One-sentence explanations of the ideas the workbench shows, for tooltips; written for a teacher
 * in class, with the formula where it helps.
 */
public final class Concepts {
  private Concepts() {}

  public static final String PATCH =
      "A chunk (patch) is K consecutive tokens; CALM's autoencoder squeezes each chunk into one vector"
          + " and the language model predicts one vector per step, so it needs K times fewer steps.";
  public static final String LATENT =
      "The latent vector z (L numbers) that stands for a whole chunk; the encoder gives its mean and"
          + " spread, the decoder turns z back into K tokens.";
  public static final String LATENT_MEAN =
      "The encoder's mean vector mu for the selected chunk, one cell per dimension: blue below zero,"
          + " red above, white near zero.";
  public static final String SIGMA =
      "Noise level sigma: each chunk's latent becomes z = mu + sigma * n with n ~ N(0, I) before"
          + " decoding. A robust autoencoder still decodes the right tokens, which the language model"
          + " needs because its predicted vectors are never exact.";
  public static final String CE =
      "Reconstruction loss: cross-entropy -log p(token | z), averaged over the K tokens of a chunk;"
          + " 0 means the decoder is certain of every right token.";
  public static final String KL =
      "KL divergence KL(q(z|x) || N(0, I)) of the latent from a standard normal, summed over the"
          + " dimensions (each clamped below at kl_clamp): it keeps the latent space smooth so nearby"
          + " vectors decode to similar text. Loss = K * CE + beta * KL.";
  public static final String TOKEN_ACCURACY =
      "Token accuracy: the share of tokens the decoder gets exactly right (argmax), on training"
          + " batches (train) or on held-out text the model never trained on (held-out).";
  public static final String PATCH_ACCURACY =
      "Chunk accuracy: the share of chunks whose K tokens are all right; stricter than token accuracy.";
  public static final String ENTROPY =
      "Unigram entropy H = -sum p(t) log2 p(t) over token frequencies, in bits per token: what a"
          + " model that ignores context pays; any trained model should do better.";
  public static final String LOG2V =
      "log2 V: the bits needed to name one token out of a vocabulary of V when all are equally"
          + " likely; an upper bound on what one token carries.";
  public static final String CAPACITY =
      "A chunk carries at most K * log2 V bits (and about K * H bits by unigram counts); the latent"
          + " has L real numbers to hold them, so bits per latent dimension = K * log2 V / L.";
  public static final String INPUT_MODE =
      "What the Transformer reads for each previous chunk: discrete = its K token embeddings (the paper's"
          + " choice), latent = the autoencoder's vector for it, both = their sum.";
  public static final String HEAD =
      "The generative head turns the Transformer's state into the next chunk's vector: energy (the paper's:"
          + " one pass, trained with the energy score, no likelihood needed), flow (flow matching, an ODE solved"
          + " in flow_steps steps) or diffusion (denoising in diffusion_steps steps).";
  public static final String AR_BASELINE =
      "The autoregressive baseline: the same Transformer predicting one token per step with a softmax over"
          + " the vocabulary, on the same tokenizer and corpus split: the reference every K is compared with.";
  public static final String SEEDS =
      "Each seed repeats a cell with other random draws (initial weights, batches, sampling); mean +- standard"
          + " deviation over seeds shows how much of a difference is noise.";
  public static final String ETA =
      "Estimated time left: remaining steps times the recent average step time (or the time limit).";
  public static final String PRESET =
      "A preset fills in every setting at once: tiny (seconds, for a first look), laptop (minutes on"
          + " a CPU) or paper (the paper's autoencoder, slow on a CPU). Change any value afterwards.";
  public static final String ACCURACY_CURVE =
      "Accuracy against noise: the held-out split of the project's corpus is encoded, noise sigma is"
          + " added to every latent and it is decoded again; one curve per checkpoint, so runs can be"
          + " compared.";
  public static final String LATENT_MAP =
      "Principal component analysis (PCA) of the held-out chunks' latent means: PC1 is the direction in"
          + " which the means vary most, PC2 the next one at right angles to it. Nearby dots have similar"
          + " latents; distances across other directions are not shown.";
  public static final String HELD_OUT_CHUNKS =
      "How many chunks of the held-out split (text the autoencoder never trained on) to encode, K"
          + " tokens each, cut from the start of each document.";
  public static final String COLOUR_BY =
      "Colour the dots by the chunk's first token, by its position in its document (0 = its first K"
          + " tokens), or by how many of its K tokens the decoder gets wrong from the mean.";
  public static final String NOISE_CLOUD =
      "Noise cloud: copies z = mu + sigma * eps of the selected chunk's latent (eps ~ N(0, I)) are"
          + " decoded; green dots still give the chunk's tokens, red crosses give others. The cloud is"
          + " drawn on the same two axes, so it looks smaller than it is in all L dimensions.";
  public static final String INTERPOLATION =
      "Interpolation: the latents (1 - t) * z_a + t * z_b on the straight line between two chunks'"
          + " means are decoded for t from 0 to 1; a smooth latent space changes the text in a few"
          + " clean steps.";

  /** A wrapping tooltip with a short delay and a readable width. */
  public static Tooltip tooltip(String text) {
    Tooltip t = new Tooltip(text);
    t.setWrapText(true);
    t.setMaxWidth(420);
    t.setShowDelay(Duration.millis(300));
    t.setShowDuration(Duration.seconds(30));
    return t;
  }

  /** Installs {@code text} as the tooltip of {@code node}. */
  public static <N extends Node> N explain(N node, String text) {
    if (node instanceof Control c) {
      c.setTooltip(tooltip(text));
    } else {
      Tooltip.install(node, tooltip(text));
    }
    return node;
  }
}
