package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.TensorSource;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.FoldedEmbedProj;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.model.LatentScale;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * A loaded CALM language-model checkpoint folder, as {@link CalmTrainer} writes it:
 *
 * <pre>
 *   DIR/config.json        CalmConfig fields (the head's settings among them), "model_type" naming the
 *                          head ({@link ModelType}: calm_energy, calm_flow, calm_diffusion), "input_mode", "ae_path"
 *   DIR/model.safetensors  the language model (official tensor names)
 *   DIR/tokenizer.json     the tokenizer (else the autoencoder's is used)
 *   DIR/autoencoder/       the frozen autoencoder (an {@link AutoencoderCheckpoint} folder)
 * </pre>
 *
 * Owns the NDManager with the language model's weights and the autoencoder checkpoint; close it
 * when done. {@code input_mode} defaults to discrete. Official folders (model_type "energy", "flow"
 * or "diffusion", {@code pytorch_model.bin}) load too: {@link CheckpointWeights} maps their tensor
 * names and {@link FrozenAutoencoder} finds their autoencoder.
 */
public final class CalmCheckpoint implements AutoCloseable {
  /** Tokens a prompt may have when the checkpoint does not record the context it was trained on. */
  public static final int DEFAULT_MAX_CONTEXT_TOKENS = 4096;

  private final Path dir;
  private final NDManager manager;
  private FoldedEmbedProj folded;
  private boolean foldTried;
  private final CalmModel model;
  private final AutoencoderCheckpoint autoencoder;
  private final String autoencoderOrigin;
  private final OptionalInt contextChunks;
  private Tokenizer tokenizer;

  private CalmCheckpoint(Path dir, NDManager manager, CalmModel model, AutoencoderCheckpoint autoencoder,
      String autoencoderOrigin, OptionalInt contextChunks) {
    this.dir = dir;
    this.autoencoderOrigin = autoencoderOrigin;
    this.manager = manager;
    this.model = model;
    this.autoencoder = autoencoder;
    this.contextChunks = contextChunks;
  }

  /**
   * Loads {@code dir}.
   *
   * @throws CalmException naming the file for a missing file, a model_type that is not a CALM
   *     language model, or an autoencoder whose K, latent size or vocabulary does not fit the model
   */
  public static CalmCheckpoint load(Path dir) {
    return load(dir, null, true);
  }

  /**
   * Loads {@code dir}, optionally without its frozen autoencoder: the language model alone is
   * enough to inspect its forward pass under the discrete input mode (the reference checkpoint of
   * the official code ships without one). Then {@link #autoencoder()} throws a CalmException.
   */
  public static CalmCheckpoint load(Path dir, boolean requireAutoencoder) {
    return load(dir, null, requireAutoencoder);
  }

  /**
   * Loads {@code dir}, a workbench run or an official CALM folder ({@code pytorch_model.bin} or
   * {@code model.safetensors}, official names: {@link CheckpointWeights}), with the frozen
   * autoencoder found by {@link FrozenAutoencoder} ({@code autoencoderDir} first when not null).
   * Without one, the model still loads when {@code requireAutoencoder} is false and its input mode
   * is discrete.
   */
  public static CalmCheckpoint load(Path dir, Path autoencoderDir, boolean requireAutoencoder) {
    if (Files.isDirectory(dir.resolve(CheckpointFiles.PENDING))) {
      try {
        CheckpointFiles.recoverUnlessWritten(dir); // finish or discard a save that was interrupted
      } catch (IOException e) {
        throw new CalmException("cannot recover the interrupted save in " + dir + ": " + e.getMessage(), e);
      }
    }
    Path configFile = dir.resolve(TrainingLoop.CONFIG);
    JsonObject json = Checkpoints.readConfig(dir);
    CalmConfig config = CalmConfig.read(json, configFile.toString()); // refuses another model type
    InputMode mode = InputMode.parse(string(json, "input_mode", InputMode.DISCRETE.key()));
    OptionalInt contextChunks = Checkpoints.contextChunks(dir);
    AutoencoderCheckpoint ae = null;
    NDManager manager = null;
    try (TensorSource weights = CheckpointWeights.open(dir, "a CALM")) {
      FrozenAutoencoder.Found found =
          FrozenAutoencoder.find(dir, json, autoencoderDir, weights, requireAutoencoder || mode.usesLatents());
      ae = found.checkpoint();
      if (ae != null) {
        CalmTrainer.checkCompatible(config, ae);
      }
      manager = NDManager.newBaseManager(ComputeDevice.device());
      CalmModel model = new CalmModel(config, mode);
      model.initializeParameters(manager);
      Weights.load(model, CheckpointWeights.languageModel(weights));
      LatentScale.read(dir, config.latentSize()).ifPresent(model::setLatentScale);
      return new CalmCheckpoint(dir, manager, model, ae, found.origin(), contextChunks);
    } catch (RuntimeException e) {
      if (manager != null) {
        manager.close();
      }
      if (ae != null) {
        ae.close();
      }
      throw e;
    }
  }

  private static String string(JsonObject o, String key, String fallback) {
    JsonElement e = o.get(key);
    return e == null || !e.isJsonPrimitive() ? fallback : e.getAsString();
  }

  public Path dir() {
    return dir;
  }

  public CalmModel model() {
    return model;
  }

  public CalmConfig config() {
    return model.config();
  }

  public InputMode inputMode() {
    return model.inputMode();
  }

  /** The generative head's type and settings. */
  public HeadConfig headConfig() {
    return model.headConfig();
  }

  /** Where the frozen autoencoder came from ({@link FrozenAutoencoder}); "none" when loaded without. */
  public String autoencoderOrigin() {
    return autoencoderOrigin;
  }

  /** The frozen autoencoder whose latents the model predicts. */
  public AutoencoderCheckpoint autoencoderCheckpoint() {
    return requireAutoencoder();
  }

  public Autoencoder autoencoder() {
    return requireAutoencoder().model();
  }

  private AutoencoderCheckpoint requireAutoencoder() {
    if (autoencoder == null) {
      throw new CalmException("the language model in " + dir + " was loaded without its frozen autoencoder"
          + " (none was found: pass --autoencoder DIR); this needs one");
    }
    return autoencoder;
  }

  /** The manager holding the language model's weights; make per-step sub-managers of it. */
  public NDManager manager() {
    return manager;
  }

  /**
   * embed_proj with its first layer folded into lookup tables, for generation (built on first use
   * from the loaded weights, which a checkpoint never changes); null when the model reads latents
   * only or the table would be too large ({@link FoldedEmbedProj#fits}).
   */
  public synchronized FoldedEmbedProj foldedInput() {
    if (!foldTried) {
      foldTried = true;
      folded = FoldedEmbedProj.build(model, manager);
    }
    return folded;
  }

  /** K, the tokens per latent step. */
  public int patchSize() {
    return model.config().patchSize();
  }

  /** Chunks per training sequence, when the checkpoint recorded it (see {@link Checkpoints#contextChunks}). */
  public OptionalInt contextChunks() {
    return contextChunks;
  }

  /**
   * The longest prompt, in tokens, the model is trusted with: {@code context_chunks * K} when known,
   * else {@link #DEFAULT_MAX_CONTEXT_TOKENS}.
   */
  public int maxContextTokens() {
    return contextChunks.isPresent() ? contextChunks.getAsInt() * patchSize() : DEFAULT_MAX_CONTEXT_TOKENS;
  }

  /**
   * The checkpoint's tokenizer: {@code DIR/tokenizer.json}, else the autoencoder's (the two are the
   * same file in a checkpoint from {@code calm lm train}).
   *
   * @throws CalmException if neither exists or it has more ids than the model's vocabulary
   */
  public synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      Path own = dir.resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(own)) {
        tokenizer = requireAutoencoder().tokenizer(); // owned (and closed) by the autoencoder checkpoint
        return tokenizer;
      }
      Tokenizer t = Tokenizers.load(own);
      if (t.vocabSize() > config().vocabSize()) {
        closeQuietly(t);
        throw new CalmException(own + " has " + t.vocabSize() + " tokens but " + dir.resolve(TrainingLoop.CONFIG)
            + " says vocab_size " + config().vocabSize());
      }
      tokenizer = t;
    }
    return tokenizer;
  }

  private boolean ownsTokenizer() {
    return tokenizer != null && Files.isRegularFile(dir.resolve(AutoencoderTrainer.TOKENIZER));
  }

  private static void closeQuietly(Tokenizer t) {
    if (t instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // native tokenizer memory; nothing useful to do on failure
      }
    }
  }

  @Override
  public synchronized void close() {
    if (ownsTokenizer()) {
      closeQuietly(tokenizer);
    }
    try {
      manager.close();
    } finally {
      if (autoencoder != null) {
        autoencoder.close();
      }
    }
  }
}
