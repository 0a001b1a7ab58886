package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * A loaded AR baseline checkpoint folder ({@code config.json} with model_type "calm_ar", {@code
 * model.safetensors}, and when present {@code tokenizer.json}), for generation and evaluation.
 * Owns the NDManager holding the weights; close it when done.
 */
public final class ArCheckpoint implements AutoCloseable {
  private final Path dir;
  private final NDManager manager;
  private final ArModel model;
  private final OptionalInt contextChunks;
  private Tokenizer tokenizer;

  private ArCheckpoint(Path dir, NDManager manager, ArModel model, OptionalInt contextChunks) {
    this.dir = dir;
    this.manager = manager;
    this.model = model;
    this.contextChunks = contextChunks;
  }

  public static ArCheckpoint load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CalmException("checkpoint folder not found: " + dir);
    }
    try {
      CheckpointFiles.recoverUnlessWritten(dir); // finish or discard a save that was interrupted
    } catch (IOException e) {
      throw new CalmException("cannot recover the interrupted save in " + dir + ": " + e.getMessage(), e);
    }
    Path config = dir.resolve(TrainingLoop.CONFIG);
    Path weights = dir.resolve(TrainingLoop.MODEL);
    for (Path p : new Path[] {config, weights}) {
      if (!Files.isRegularFile(p)) {
        throw new CalmException("not an AR baseline checkpoint: " + p + " is missing");
      }
    }
    ArConfig cfg = ArConfig.read(config);
    OptionalInt contextChunks = Checkpoints.contextChunks(dir);
    NDManager manager = NDManager.newBaseManager(ComputeDevice.device());
    try {
      ArModel model = new ArModel(cfg);
      model.initializeParameters(manager);
      Weights.load(model, Safetensors.read(weights));
      return new ArCheckpoint(dir, manager, model, contextChunks);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public ArModel model() {
    return model;
  }

  public ArConfig config() {
    return model.config();
  }

  public NDManager manager() {
    return manager;
  }

  /** context_chunks of the training run, when config.json records it. */
  public OptionalInt contextChunks() {
    return contextChunks;
  }

  /**
   * The longest context the model was trained on, in tokens: context_chunks * 4 (see {@link
   * ArTrainer#REFERENCE_PATCH_SIZE}), else {@link CalmCheckpoint#DEFAULT_MAX_CONTEXT_TOKENS}.
   */
  public int maxContextTokens() {
    return contextChunks.isPresent() ? contextChunks.getAsInt() * ArTrainer.REFERENCE_PATCH_SIZE
        : CalmCheckpoint.DEFAULT_MAX_CONTEXT_TOKENS;
  }

  /** The checkpoint's tokenizer; a CalmException if it has none or it does not fit the model. */
  public synchronized Tokenizer tokenizer() {
    if (tokenizer == null) {
      Path file = dir.resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(file)) {
        throw new CalmException("checkpoint " + dir + " has no tokenizer.json; text commands need one");
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
