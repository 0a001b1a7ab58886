package org.calmworkbench.backend.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.LatentScale;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * {@code calm convert}: writes an autoencoder or CALM checkpoint folder in the workbench's own
 * format (config.json as the trainers write it, float32 {@code model.safetensors} with the
 * workbench's tensor names, {@code tokenizer.json}, and for a CALM model its frozen autoencoder in
 * {@code autoencoder/}), from any folder the loaders accept, official ones included. The model is
 * loaded by the same code every command uses and written from the loaded weights, one tensor at a
 * time ({@link Weights#exportLazily}: the heap holds one tensor, not a second copy of the model), so
 * the converted folder behaves like a trained run. What a workbench run records beyond the official format
 * ({@code context_chunks}, the latent scale) is carried over when the source has it.
 */
public final class CheckpointConverter {
  private CheckpointConverter() {}

  /**
   * What was written.
   *
   * @param modelType the converted model's type
   * @param autoencoderOrigin where a CALM model's autoencoder came from ("" for an autoencoder)
   * @param hasTokenizer whether a tokenizer.json was written (text commands need one)
   */
  public record Result(ModelType modelType, String autoencoderOrigin, boolean hasTokenizer) {}

  /**
   * Converts {@code from} into {@code out}.
   *
   * @param tokenizer a tokenizer.json or a folder with one (null: the source folder's, if any)
   * @param autoencoder a CALM model's frozen autoencoder folder (null: {@link FrozenAutoencoder} finds it)
   * @throws CalmException if {@code out} already holds a checkpoint, the source does not load, or the
   *     tokenizer has more ids than the model's vocabulary
   */
  public static Result convert(Path from, Path out, Path tokenizer, Path autoencoder) throws IOException {
    if (Files.exists(out.resolve(TrainingLoop.CONFIG))) {
      throw new CalmException(out + " already holds a checkpoint; choose another --out");
    }
    if (from.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
      throw new CalmException("--out must differ from --from");
    }
    ModelType type = Checkpoints.modelType(from);
    if (type.isCalm()) {
      try (CalmCheckpoint ck = CalmCheckpoint.load(from, autoencoder, true)) {
        byte[] tok = tokenizerBytes(tokenizer, from, ck.autoencoderCheckpoint().dir(), ck.config().vocabSize());
        writeAutoencoder(ck.autoencoderCheckpoint(), out.resolve(CalmTrainer.AUTOENCODER_DIR), tok);
        Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
        JsonObject config = CalmTrainer.configJson(ck.config(), ck.inputMode());
        ck.contextChunks().ifPresent(p -> config.addProperty("context_chunks", p));
        files.put(TrainingLoop.CONFIG, CheckpointFiles.bytes(config.toString().getBytes(StandardCharsets.UTF_8)));
        files.put(TrainingLoop.MODEL, f -> Safetensors.write(f, Weights.exportLazily(ck.model()), Map.of(), Dtype.F32));
        if (tok != null) {
          files.put(AutoencoderTrainer.TOKENIZER, CheckpointFiles.bytes(tok));
        }
        if (ck.model().latentScale() != null) { // a workbench run's; official models have none
          files.put(LatentScale.FILE, CheckpointFiles.bytes(ck.model().latentScale().toJson()));
        }
        CheckpointFiles.commit(out, files);
        return new Result(ck.config().modelType(), ck.autoencoderOrigin(), tok != null);
      }
    }
    if (type == ModelType.AUTOENCODER) {
      try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(from)) {
        byte[] tok = tokenizerBytes(tokenizer, from, from, ck.config().vocabSize());
        writeAutoencoder(ck, out, tok);
        return new Result(type, "", tok != null);
      }
    }
    throw new CalmException(from.resolve(TrainingLoop.CONFIG) + " has model_type \"" + type.key()
        + "\"; convert reads autoencoder and CALM checkpoints");
  }

  private static void writeAutoencoder(AutoencoderCheckpoint ae, Path dir, byte[] tokenizer) throws IOException {
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
    files.put(TrainingLoop.CONFIG, CheckpointFiles.bytes(ae.config().toJson().toString().getBytes(StandardCharsets.UTF_8)));
    files.put(TrainingLoop.MODEL, f -> Safetensors.write(f, Weights.exportLazily(ae.model()), Map.of(), Dtype.F32));
    if (tokenizer != null) {
      files.put(AutoencoderTrainer.TOKENIZER, CheckpointFiles.bytes(tokenizer));
    }
    CheckpointFiles.commit(dir, files);
  }

  /** The tokenizer to write: the one given, else the model folder's, else its autoencoder's; null if none. */
  private static byte[] tokenizerBytes(Path given, Path from, Path aeDir, int vocabSize) throws IOException {
    Path file = null;
    if (given != null) {
      file = Tokenizers.resolve(given);
    } else {
      for (Path dir : new Path[] {from, aeDir}) {
        Path f = dir.resolve(AutoencoderTrainer.TOKENIZER);
        if (Files.isRegularFile(f)) {
          file = f;
          break;
        }
      }
    }
    if (file == null) {
      return null;
    }
    Tokenizer t = Tokenizers.load(file);
    try {
      if (t.vocabSize() > vocabSize) {
        throw new CalmException(file + " has " + t.vocabSize() + " tokens but the model's vocab_size is " + vocabSize);
      }
    } finally {
      if (t instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // native tokenizer memory; nothing to do
        }
      }
    }
    return Files.readAllBytes(file);
  }
}
