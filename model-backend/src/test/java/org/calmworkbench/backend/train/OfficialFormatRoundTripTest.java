package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.pytorch.StorageType;
import org.calmworkbench.backend.io.pytorch.TorchSaveWriter;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trained workbench run rewritten the way the official code saves it (torch.save, official
 * config, {@code ae_model.*}, the head under two names, the tied output matrix) generates the same
 * text as the run itself, and {@code convert} turns it back into a run that does too.
 */
class OfficialFormatRoundTripTest {
  @TempDir Path tmp;

  /** The run's weights as the official EnergyTransformer's state dict, in a folder with an official config. */
  static Path officialFolder(Path run, Path out) throws IOException {
    Files.createDirectories(out);
    List<TorchSaveWriter.Storage> storages = new ArrayList<>();
    List<TorchSaveWriter.Entry> entries = new ArrayList<>();
    Map<String, Tensor> lm = Safetensors.read(run.resolve("model.safetensors")).tensors();
    Map<String, Tensor> ae = Safetensors.read(run.resolve("autoencoder").resolve("model.safetensors")).tensors();
    for (Tensor t : lm.values()) {
      add(storages, entries, t.name(), t);
      if (t.name().startsWith("mlp_generator.")) { // the same storage under the second name
        entries.add(TorchSaveWriter.Entry.contiguous("generative_head." + t.name().substring("mlp_generator.".length()),
            String.valueOf(storages.size() - 1), longs(t.shape())));
      }
    }
    for (Tensor t : ae.values()) {
      add(storages, entries, "ae_model." + t.name(), t);
      if (t.name().equals("encoder.embed_tokens.weight")) {
        entries.add(TorchSaveWriter.Entry.contiguous("ae_model.decoder.lm_head_weight",
            String.valueOf(storages.size() - 1), longs(t.shape())));
      }
    }
    TorchSaveWriter.write(out.resolve("pytorch_model.bin"), "pytorch_model", storages, entries);
    JsonObject config = JsonFiles.readObject(run.resolve("config.json"));
    config.addProperty("model_type", "energy");
    config.addProperty("ae_path", "/path/on/the/training/machine/autoencoder");
    config.remove("input_mode");
    config.addProperty("torch_dtype", "float32");
    Files.writeString(out.resolve("config.json"), config.toString());
    Files.copy(run.resolve("tokenizer.json"), out.resolve("tokenizer.json"));
    return out;
  }

  private static void add(List<TorchSaveWriter.Storage> storages, List<TorchSaveWriter.Entry> entries, String name,
      Tensor t) {
    String key = String.valueOf(storages.size());
    float[] data = t.data();
    storages.add(new TorchSaveWriter.Storage(key, StorageType.FLOAT, data.length, o -> {
      ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(data);
      o.write(b.array());
    }));
    entries.add(TorchSaveWriter.Entry.contiguous(name, key, longs(t.shape())));
  }

  private static long[] longs(int[] s) {
    long[] out = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[i];
    }
    return out;
  }

  static String generate(Path dir) {
    CalmGenerator.Options o = new CalmGenerator.Options("the cat", 12, 0.8, CalmGenerator.Method.EXACT, 4, 5,
        CalmGenerator.Options.of("").maxSamplerCalls());
    return CalmGenerator.run(dir, o, e -> { }).text();
  }

  @Test
  void anOfficialFolderGeneratesWhatTheRunGenerates() throws IOException {
    Path run = TinyCalm.copy(tmp.resolve("run"));
    Files.deleteIfExists(run.resolve("latent_scale.json")); // the official format has no latent scale
    Path official = officialFolder(run, tmp.resolve("official"));
    assertEquals(ModelType.CALM_ENERGY, Checkpoints.modelType(official));
    try (CalmCheckpoint ck = CalmCheckpoint.load(official)) {
      assertTrue(ck.autoencoderOrigin().startsWith("ae_model.*"), ck.autoencoderOrigin());
    }
    String expected = generate(run);
    assertEquals(expected, generate(official));

    Path converted = tmp.resolve("converted");
    CheckpointConverter.Result r = CheckpointConverter.convert(official, converted, null, null);
    assertTrue(r.hasTokenizer());
    assertEquals(ModelType.CALM_ENERGY.key(), Checkpoints.readConfig(converted).get("model_type").getAsString());
    assertTrue(Files.isRegularFile(converted.resolve("autoencoder").resolve("model.safetensors")));
    assertEquals(expected, generate(converted));
    Map<String, Tensor> want = Safetensors.read(run.resolve("model.safetensors")).tensors();
    Map<String, Tensor> got = Safetensors.read(converted.resolve("model.safetensors")).tensors();
    assertEquals(want.keySet(), got.keySet());
    want.forEach((n, t) -> assertArrayEquals(t.data(), got.get(n).data(), n));
  }

  @Test
  void convertRefusesAnOccupiedOutputFolder() throws IOException {
    Path run = TinyCalm.copy(tmp.resolve("run"));
    CalmException e = assertThrows(CalmException.class, () -> CheckpointConverter.convert(run, run.resolve("autoencoder"),
        null, null));
    assertTrue(e.getMessage().contains("already holds a checkpoint"), e.getMessage());
  }

  @Test
  void convertingAnOfficialAutoencoderGivesTheSameWeights() throws IOException {
    Path official = org.calmworkbench.backend.SharedFixtures.reference("official-format").resolve("autoencoder");
    Path out = tmp.resolve("ae");
    CheckpointConverter.Result r = CheckpointConverter.convert(official, out, null, null);
    assertEquals(ModelType.AUTOENCODER, r.modelType());
    assertEquals(ModelType.AUTOENCODER, Checkpoints.modelType(out));
    Map<String, Tensor> want = Safetensors.read(org.calmworkbench.backend.SharedFixtures.reference("autoencoder")
        .resolve("model.safetensors")).tensors();
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(out)) {
      Map<String, Tensor> got = Weights.export(ck.model());
      want.forEach((n, t) -> assertArrayEquals(t.data(), got.get(n).data(), n));
    }
  }
}
