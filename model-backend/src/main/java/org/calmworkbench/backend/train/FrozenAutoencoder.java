package org.calmworkbench.backend.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.TensorSource;

/**
 * Finds the frozen autoencoder of a CALM language-model folder, in this order:
 *
 * <ol>
 *   <li>the folder given by the user ({@code --autoencoder DIR});
 *   <li>config.json's {@code ae_path} (relative to the folder, or absolute: the official code
 *       records the path on the machine it trained on, which rarely exists elsewhere);
 *   <li>an {@code autoencoder/} folder inside the checkpoint (where the workbench keeps it), then
 *       one beside it (the official code's {@code checkpoints/autoencoder} next to {@code
 *       checkpoints/calm_energy});
 *   <li>the {@code ae_model.*} tensors inside the official CALM file, with the architecture read
 *       from their shapes ({@link CheckpointWeights#inferAutoencoderConfig}).
 * </ol>
 *
 * When none is found, the error lists every place tried and how to fix it.
 */
public final class FrozenAutoencoder {
  private FrozenAutoencoder() {}

  /** The autoencoder found (null when none was and none was required), and where it came from. */
  public record Found(AutoencoderCheckpoint checkpoint, String origin) {}

  /** {@link #find(Path, JsonObject, Path, TensorSource, boolean)} opening the folder's weights when needed. */
  public static Found find(Path dir, JsonObject config, Path override, boolean required) {
    Found folder = findFolder(dir, config, override, new ArrayList<>());
    if (folder != null) {
      return folder;
    }
    try (TensorSource weights = CheckpointWeights.open(dir, "a CALM")) {
      return find(dir, config, override, weights, required);
    }
  }

  /**
   * The frozen autoencoder of the CALM folder {@code dir} (see the class comment).
   *
   * @param override the user's {@code --autoencoder} folder, or null
   * @param weights the folder's language-model weights (searched for {@code ae_model.*})
   * @throws CalmException when {@code required} and none is found, listing what was tried
   */
  public static Found find(Path dir, JsonObject config, Path override, TensorSource weights, boolean required) {
    List<String> tried = new ArrayList<>();
    Found folder = findFolder(dir, config, override, tried);
    if (folder != null) {
      return folder;
    }
    if (CheckpointWeights.hasEmbeddedAutoencoder(weights)) {
      String origin = CheckpointWeights.AE_PREFIX + "* tensors in " + weights.file();
      TensorSource ae = CheckpointWeights.autoencoder(weights, CheckpointWeights.AE_PREFIX);
      return new Found(AutoencoderCheckpoint.fromWeights(dir,
          CheckpointWeights.inferAutoencoderConfig(weights, CheckpointWeights.AE_PREFIX), ae), origin);
    }
    tried.add(CheckpointWeights.AE_PREFIX + "* tensors in " + weights.file() + " (there are none)");
    if (!required) {
      return new Found(null, "none");
    }
    throw new CalmException("the language model in " + dir + " needs its frozen autoencoder, but none was found."
        + " Tried: " + String.join("; ", tried) + ". Fix: pass --autoencoder DIR (a folder with config.json and "
        + CheckpointWeights.SAFETENSORS + " or " + CheckpointWeights.PYTORCH + "), or set \"ae_path\" in "
        + dir.resolve(TrainingLoop.CONFIG) + ", or copy the autoencoder to " + dir.resolve(CalmTrainer.AUTOENCODER_DIR));
  }

  private static Found findFolder(Path dir, JsonObject config, Path override, List<String> tried) {
    if (override != null) {
      if (!Files.isRegularFile(override.resolve(TrainingLoop.CONFIG))) {
        throw new CalmException("--autoencoder " + override + " is not an autoencoder checkpoint: "
            + override.resolve(TrainingLoop.CONFIG) + " is missing");
      }
      return new Found(AutoencoderCheckpoint.load(override), "--autoencoder " + override);
    }
    JsonElement aePath = config.get("ae_path");
    if (aePath != null && aePath.isJsonPrimitive() && !aePath.getAsString().isBlank()) {
      Path p = dir.resolve(aePath.getAsString());
      if (isAutoencoderFolder(p)) {
        return new Found(AutoencoderCheckpoint.load(p), "config.json \"ae_path\" " + p);
      }
      tried.add(p + " (config.json \"ae_path\")");
    }
    List<Path> candidates = new ArrayList<>();
    candidates.add(dir.resolve(CalmTrainer.AUTOENCODER_DIR));
    Path parent = dir.toAbsolutePath().normalize().getParent();
    if (parent != null) {
      candidates.add(parent.resolve(CalmTrainer.AUTOENCODER_DIR));
    }
    for (Path p : candidates) {
      if (tried.stream().anyMatch(t -> t.startsWith(p + " "))) {
        continue; // ae_path named it already
      }
      if (isAutoencoderFolder(p)) {
        return new Found(AutoencoderCheckpoint.load(p), p.toString());
      }
      tried.add(p.toString());
    }
    return null;
  }

  /** A folder with a config.json that is not a CALM language model's, and a weights file. */
  private static boolean isAutoencoderFolder(Path p) {
    Path config = p.resolve(TrainingLoop.CONFIG);
    if (!Files.isRegularFile(config) || CheckpointWeights.find(p).isEmpty()) {
      return false;
    }
    try {
      return !Checkpoints.modelType(p).isCalm();
    } catch (CalmException e) {
      return true; // an autoencoder config without model_type (older runs); its loader reports problems
    }
  }
}
