package org.calmworkbench.backend.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.TensorSource;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;

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
 * A guessed folder whose K, latent size or vocabulary does not fit the model is passed over. When
 * none is found, the error lists every place tried and how to fix it.
 */
public final class FrozenAutoencoder {
  private FrozenAutoencoder() {}

  /** The autoencoder found (null when none was and none was required), and where it came from. */
  public record Found(AutoencoderCheckpoint checkpoint, String origin) {}

  /** {@link #find(Path, JsonObject, Path, TensorSource, boolean)} opening the folder's weights when needed. */
  public static Found find(Path dir, JsonObject config, Path override, boolean required) {
    CalmConfig lm = CalmConfig.read(config, dir.resolve(TrainingLoop.CONFIG).toString());
    Found folder = findFolder(dir, config, lm, override, new ArrayList<>());
    if (folder != null) {
      return folder;
    }
    try (TensorSource weights = CheckpointWeights.open(dir, "a CALM")) {
      return find(dir, config, override, weights, required);
    }
  }

  /**
   * The frozen autoencoder of the CALM folder {@code dir} (see the class comment). A folder found by
   * guessing (ae_path, autoencoder/) whose K, L or vocabulary does not fit the model is passed over
   * (and named in the error if nothing else is found); one given by the user is an error.
   *
   * @param override the user's {@code --autoencoder} folder, or null
   * @param weights the folder's language-model weights (searched for {@code ae_model.*})
   * @throws CalmException when {@code required} and none is found, listing what was tried
   */
  public static Found find(Path dir, JsonObject config, Path override, TensorSource weights, boolean required) {
    CalmConfig lm = CalmConfig.read(config, dir.resolve(TrainingLoop.CONFIG).toString());
    List<String> tried = new ArrayList<>();
    Found folder = findFolder(dir, config, lm, override, tried);
    if (folder != null) {
      return folder;
    }
    if (CheckpointWeights.hasEmbeddedAutoencoder(weights)) {
      String origin = CheckpointWeights.AE_PREFIX + "* tensors in " + weights.file();
      AutoencoderConfig cfg = CheckpointWeights.inferAutoencoderConfig(weights, CheckpointWeights.AE_PREFIX);
      String misfit = misfit(lm, cfg);
      if (misfit != null) {
        throw new CalmException(origin + " " + misfit);
      }
      TensorSource ae = CheckpointWeights.autoencoder(weights, CheckpointWeights.AE_PREFIX);
      return new Found(AutoencoderCheckpoint.fromWeights(dir, cfg, ae), origin);
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

  private static Found findFolder(Path dir, JsonObject config, CalmConfig lm, Path override, List<String> tried) {
    if (override != null) {
      if (!Files.isRegularFile(override.resolve(TrainingLoop.CONFIG))) {
        throw new CalmException("--autoencoder " + override + " is not an autoencoder checkpoint: "
            + override.resolve(TrainingLoop.CONFIG) + " is missing");
      }
      return new Found(AutoencoderCheckpoint.load(override), "--autoencoder " + override);
    }
    List<Path> candidates = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    JsonElement aePath = config.get("ae_path");
    if (aePath != null && aePath.isJsonPrimitive() && !aePath.getAsString().isBlank()) {
      candidates.add(dir.resolve(aePath.getAsString()));
      labels.add(" (config.json \"ae_path\")");
    }
    candidates.add(dir.resolve(CalmTrainer.AUTOENCODER_DIR));
    labels.add("");
    Path parent = dir.toAbsolutePath().normalize().getParent();
    if (parent != null) {
      candidates.add(parent.resolve(CalmTrainer.AUTOENCODER_DIR));
      labels.add("");
    }
    List<Path> seen = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      Path p = candidates.get(i);
      Path normal = p.toAbsolutePath().normalize();
      if (seen.contains(normal)) {
        continue; // ae_path named it already
      }
      seen.add(normal);
      if (!isAutoencoderFolder(p)) {
        tried.add(whyNot(p) + labels.get(i));
        continue;
      }
      String misfit = misfit(lm, AutoencoderConfig.read(p.resolve(TrainingLoop.CONFIG)));
      if (misfit != null) {
        tried.add(p + labels.get(i) + " (" + misfit + ")");
        continue;
      }
      return new Found(AutoencoderCheckpoint.load(p), p + labels.get(i));
    }
    return null;
  }

  /** Why an autoencoder of {@code ae} cannot serve {@code lm}, or null when it fits. */
  private static String misfit(CalmConfig lm, AutoencoderConfig ae) {
    if (lm.patchSize() != ae.patchSize() || lm.latentSize() != ae.latentSize() || lm.vocabSize() != ae.vocabSize()) {
      return "does not fit: K=" + ae.patchSize() + ", L=" + ae.latentSize() + ", vocab " + ae.vocabSize()
          + " against the model's K=" + lm.patchSize() + ", L=" + lm.latentSize() + ", vocab " + lm.vocabSize();
    }
    return null;
  }

  /** What is missing in {@code p} for it to be an autoencoder folder, naming the file. */
  private static String whyNot(Path p) {
    if (!Files.isDirectory(p)) {
      return p + " (no such folder)";
    }
    if (!Files.isRegularFile(p.resolve(TrainingLoop.CONFIG))) {
      return p.resolve(TrainingLoop.CONFIG) + " (missing)";
    }
    if (CheckpointWeights.find(p).isEmpty()) {
      return p + " (no " + CheckpointWeights.SAFETENSORS + " or " + CheckpointWeights.PYTORCH + ")";
    }
    return p + " (a language model, not an autoencoder)";
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
