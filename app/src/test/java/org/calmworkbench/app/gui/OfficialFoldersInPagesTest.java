package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.inspector.InspectorViewModel;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.pytorch.StorageType;
import org.calmworkbench.backend.io.pytorch.TorchSaveWriter;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Official checkpoint folders in a project's runs/ are listed and opened by the pages like trained runs. */
class OfficialFoldersInPagesTest {
  @TempDir Path dir;

  /** Rewrites the autoencoder run {@code run} the way the official code saves it (torch.save, tied lm_head). */
  static void makeOfficial(Path run) throws Exception {
    List<TorchSaveWriter.Storage> storages = new ArrayList<>();
    List<TorchSaveWriter.Entry> entries = new ArrayList<>();
    for (Tensor t : Safetensors.read(run.resolve("model.safetensors")).tensors().values()) {
      String key = String.valueOf(storages.size());
      float[] data = t.data();
      storages.add(new TorchSaveWriter.Storage(key, StorageType.BFLOAT16, data.length, o -> {
        ByteBuffer b = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
          b.putShort((short) org.calmworkbench.backend.io.HalfFloats.floatToBf16(v));
        }
        o.write(b.array());
      }));
      long[] shape = java.util.Arrays.stream(t.shape()).asLongStream().toArray();
      entries.add(TorchSaveWriter.Entry.contiguous(t.name(), key, shape));
      if (t.name().equals("encoder.embed_tokens.weight")) {
        entries.add(TorchSaveWriter.Entry.contiguous("decoder.lm_head_weight", key, shape));
      }
    }
    TorchSaveWriter.write(run.resolve("pytorch_model.bin"), "pytorch_model", storages, entries);
    Files.delete(run.resolve("model.safetensors"));
    Files.deleteIfExists(run.resolve("trainer_state.json"));
    JsonObject config = JsonParser.parseString(Files.readString(run.resolve("config.json"))).getAsJsonObject();
    config.addProperty("model_type", "autoencoder");
    config.addProperty("torch_dtype", "bfloat16");
    Files.writeString(run.resolve("config.json"), config.toString());
  }

  @Test
  void theInspectorOpensAnOfficialAutoencoderFolder() throws Exception {
    Project project = TinyProject.createWithCheckpoint(dir.resolve("project"));
    WorkbenchContext trained = TestContexts.sameThread(dir.resolve("config1"), new RecordingNotifier());
    trained.setProject(project);
    String before = new InspectorViewModel(trained).decodedTextProperty().get();
    assertFalse(before.isEmpty());

    makeOfficial(project.folder().resolve(Project.RUNS).resolve(TinyProject.CHECKPOINT));
    assertEquals(1, RunStore.autoencoders(project.folder()).size(), "listed with pytorch_model.bin");
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config2"), new RecordingNotifier());
    ctx.setProject(project);
    InspectorViewModel vm = new InspectorViewModel(ctx);
    assertEquals(TinyProject.CHECKPOINT, vm.checkpointProperty().get().name());
    assertEquals(4, vm.patchSizeProperty().get());
    // bf16 weights: the tiny model's clean reconstruction survives the rounding
    assertEquals(before, vm.decodedTextProperty().get());
  }

  @Test
  void anOfficialEnergyFolderIsListedAsACalmCheckpoint() throws Exception {
    String shared = System.getProperty("calm.shared.dir");
    Path energy = shared == null ? null : Path.of(shared, "reference", "official-format", "energy");
    Assumptions.assumeTrue(energy != null && Files.isDirectory(energy),
        "skipped: ../shared/reference/official-format not found (set calm.shared.dir)");
    Path project = dir.resolve("p");
    Path run = project.resolve(Project.RUNS).resolve("calm-official");
    Files.createDirectories(run);
    Files.copy(energy.resolve("config.json"), run.resolve("config.json"));
    Files.copy(energy.resolve("pytorch_model.bin"), run.resolve("pytorch_model.bin"));
    List<RunStore.Checkpoint> calm = RunStore.calm(project);
    assertEquals(1, calm.size());
    assertTrue(calm.get(0).dir().endsWith("calm-official"));
    assertTrue(RunStore.autoencoders(project).isEmpty(), "a language model is not listed as an autoencoder");
  }
}
