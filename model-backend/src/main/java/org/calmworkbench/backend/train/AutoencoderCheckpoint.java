package org.calmworkbench.backend.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * A loaded autoencoder checkpoint folder: {@code config.json} (official names), {@code
 * model.safetensors} (official tensor names; f32, f16 or bf16), and, when present, {@code
 * tokenizer.json}. Owns the NDManager holding the weights; close it when done.
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
    Path weights = dir.resolve(AutoencoderTrainer.MODEL);
    for (Path p : new Path[] {config, weights}) {
      if (!Files.isRegularFile(p)) {
        throw new CalmException("not an autoencoder checkpoint: " + p + " is missing");
      }
    }
    AutoencoderConfig cfg = AutoencoderConfig.read(config);
    NDManager manager = NDManager.newBaseManager(ComputeDevice.device());
    try {
      Autoencoder ae = new Autoencoder(cfg);
      ae.initializeParameters(manager);
      Weights.load(ae, Safetensors.read(weights));
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
