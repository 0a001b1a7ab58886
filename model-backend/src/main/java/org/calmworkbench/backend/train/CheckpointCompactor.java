package org.calmworkbench.backend.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.model.LatentScale;

/**
 * An inference-only copy of a trained checkpoint: its config, tokenizer, split record (corpus paths
 * re-rooted to the copy's folder), latent scale,
 * metrics and weights (in a smaller dtype such as BF16), without the optimizer state and trainer
 * state that only resuming needs; a CALM checkpoint's frozen {@code autoencoder/} is compacted
 * with it. How the bundled sample runs are kept small. The copy loads like any checkpoint (the
 * reader converts BF16 and F16 to float32) but cannot be resumed.
 */
public final class CheckpointCompactor {
  private CheckpointCompactor() {}

  /** Files copied as they are, when present. */
  static final List<String> COPIED = List.of(TrainingLoop.CONFIG, AutoencoderTrainer.TOKENIZER, LatentScale.FILE,
      TrainingLoop.METRICS);

  /** What was written: files and the weights' bytes before and after. */
  public record Result(int files, long weightBytesBefore, long weightBytesAfter) {}

  /** Writes the compact copy of {@code from} into {@code to} (which must not hold a checkpoint yet). */
  public static Result compact(Path from, Path to, Dtype dtype) throws IOException {
    Path weights = from.resolve(TrainingLoop.MODEL);
    if (!Files.isRegularFile(weights) || !Files.isRegularFile(from.resolve(TrainingLoop.CONFIG))) {
      throw new CalmException(from + " is not a checkpoint (it needs " + TrainingLoop.CONFIG + " and " + TrainingLoop.MODEL + ")");
    }
    if (Files.exists(to.resolve(TrainingLoop.MODEL))) {
      throw new CalmException(to + " already holds a checkpoint; choose another --out");
    }
    SafetensorsFile file = Safetensors.read(weights);
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
    for (String name : COPIED) {
      Path f = from.resolve(name);
      if (Files.isRegularFile(f)) {
        files.put(name, CheckpointFiles.bytes(Files.readAllBytes(f)));
      }
    }
    // The split record's corpus paths are relative to the run folder: re-rooted so the copy still finds its corpus.
    DataSplit.relocated(from, to).ifPresent(record ->
        files.put(DataSplit.FILE, CheckpointFiles.bytes(record.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    files.put(TrainingLoop.MODEL, f -> Safetensors.write(f, file.tensors(), file.metadata(), dtype));
    CheckpointFiles.commit(to, files);
    long before = Files.size(weights);
    long after = Files.size(to.resolve(TrainingLoop.MODEL));
    int count = files.size();
    Path ae = from.resolve(CalmTrainer.AUTOENCODER_DIR);
    if (Files.isRegularFile(ae.resolve(TrainingLoop.MODEL))) {
      Result inner = compact(ae, to.resolve(CalmTrainer.AUTOENCODER_DIR), dtype);
      count += inner.files();
      before += inner.weightBytesBefore();
      after += inner.weightBytesAfter();
    }
    return new Result(count, before, after);
  }
}
