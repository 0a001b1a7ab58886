package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.io.TensorSource;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * A loaded autoencoder checkpoint folder: {@code config.json} (official names), {@code
 * model.safetensors} (official tensor names; f32, f16 or bf16) or the official code's {@code
 * pytorch_model.bin}, and, when present, {@code tokenizer.json}. Owns the NDManager holding the
 * weights; close it when done.
 */
public final class AutoencoderCheckpoint implements AutoCloseable {
  private final Path dir;
  private final NDManager manager;
  private final Autoencoder model;
  private Tokenizer tokenizer;

  private AutoencoderCheckpoint(Path dir, NDManager manager, Autoencoder model) {
    this.dir = dir;
    this.manager = manager;
    this.model = model;
  }

  /**
   * Loads an autoencoder folder: {@code config.json} and {@code model.safetensors} or the official
   * {@code pytorch_model.bin} ({@link CheckpointWeights}). Given a CALM language-model folder, loads
   * its frozen autoencoder ({@link FrozenAutoencoder}), so the autoencoder commands accept either.
   *
   * @throws CalmException naming the folder or file that is missing or does not fit
   */
  public static AutoencoderCheckpoint load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CalmException("checkpoint folder not found: " + dir);
    }
    if (Files.isDirectory(dir.resolve(CheckpointFiles.PENDING))) {
      try {
        CheckpointFiles.recoverUnlessWritten(dir); // finish or discard a save that was interrupted
      } catch (IOException e) {
        throw new CalmException("cannot recover the interrupted save in " + dir + ": " + e.getMessage(), e);
      }
    }
    Path config = dir.resolve(AutoencoderTrainer.CONFIG);
    if (!Files.isRegularFile(config)) {
      throw new CalmException("not an autoencoder checkpoint: " + config + " is missing");
    }
    JsonObject json = JsonFiles.readObject(config);
    Optional<ModelType> type = json.has("model_type") && json.get("model_type").isJsonPrimitive()
        ? ModelType.fromKey(json.get("model_type").getAsString()) : Optional.empty();
    if (type.isPresent() && type.get().isCalm()) {
      return FrozenAutoencoder.find(dir, json, null, true).checkpoint();
    }
    try (TensorSource weights = CheckpointWeights.open(dir, "an autoencoder")) {
      AutoencoderConfig cfg = AutoencoderConfig.read(config);
      return fromWeights(dir, cfg, CheckpointWeights.autoencoder(weights, ""));
    }
  }

  /**
   * An autoencoder of {@code cfg} with the tensors of {@code weights} (workbench names); {@code dir}
   * is where its tokenizer is looked for.
   */
  static AutoencoderCheckpoint fromWeights(Path dir, AutoencoderConfig cfg, TensorSource weights) {
    NDManager manager = NDManager.newBaseManager(ComputeDevice.device());
    try {
      Autoencoder ae = new Autoencoder(cfg);
      ae.initializeParameters(manager);
      Weights.load(ae, weights);
      return new AutoencoderCheckpoint(dir, manager, ae);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public Autoencoder model() {
    return model;
  }

  public AutoencoderConfig config() {
    return model.config();
  }

  public NDManager manager() {
    return manager;
  }

  /** The checkpoint's tokenizer; a CalmException if it has none. */
  public synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      Path file = dir.resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(file)) {
        throw new CalmException("checkpoint " + dir + " has no tokenizer.json; text commands need one (official"
            + " checkpoints ship without it: copy the tokenizer.json they were trained with into the folder, or"
            + " run calm convert --from " + dir + " --out DIR --tokenizer TOKENIZER_DIR)");
      }
      tokenizer = Tokenizers.load(file);
      if (tokenizer.vocabSize() > config().vocabSize()) {
        throw new CalmException(file + " has " + tokenizer.vocabSize() + " tokens but " + dir.resolve("config.json")
            + " says vocab_size " + config().vocabSize());
      }
    }
    return tokenizer;
  }

  @Override
  public synchronized void close() {
    if (tokenizer instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        // native tokenizer memory; nothing useful to do on failure
      }
    }
    manager.close();
  }
}
