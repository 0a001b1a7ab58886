package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.io.HalfFloats;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCompactorTest {
  @TempDir Path tmp;

  @Test
  void bf16CopyOfACalmRunHalvesTheWeightsLoadsAndGenerates() throws Exception {
    Path from = TinyCalm.checkpoint();
    Path to = tmp.resolve("compact");

    CheckpointCompactor.Result r = CheckpointCompactor.compact(from, to, Dtype.BF16);

    assertEquals(r.weightBytesBefore() / 2, r.weightBytesAfter(), r.weightBytesBefore() / 50.0, "bf16 is half of f32");
    assertFalse(Files.exists(to.resolve(TrainingLoop.OPTIMIZER)), "no optimizer state");
    assertFalse(Files.exists(to.resolve(TrainingLoop.STATE)), "no trainer state: it cannot be resumed");
    assertTrue(Files.isRegularFile(to.resolve("autoencoder").resolve(TrainingLoop.MODEL)), "its frozen autoencoder too");
    Map<String, Tensor> full = Safetensors.read(from.resolve(TrainingLoop.MODEL)).tensors();
    Map<String, Tensor> half = Safetensors.read(to.resolve(TrainingLoop.MODEL)).tensors();
    assertEquals(full.keySet(), half.keySet());
    for (String name : full.keySet()) {
      float[] a = full.get(name).data();
      float[] b = half.get(name).data();
      for (int i = 0; i < a.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(a[i])), b[i], 0f, name);
      }
    }
    try (CalmCheckpoint ck = CalmCheckpoint.load(to)) {
      assertTrue(CalmGenerator.run(ck, CalmGenerator.Options.of("The").withMaxTokens(8), e -> {}, () -> false).tokens() > 0);
    }
    CalmException again = assertThrows(CalmException.class, () -> CheckpointCompactor.compact(from, to, Dtype.BF16));
    assertTrue(again.getMessage().contains("already holds a checkpoint"), again.getMessage());
  }

  @Test
  void theCopysSplitRecordFindsTheCorpusFromItsOwnFolder() throws Exception {
    Path from = TinyCalm.checkpoint();
    List<Path> corpus = DataSplit.corpusOf(from);
    assertFalse(corpus.isEmpty(), "the tiny run records its corpus");
    Path to = tmp.resolve("a").resolve("deeper").resolve("copy"); // another depth: the old relative path would miss

    CheckpointCompactor.compact(from, to, Dtype.BF16);

    JsonObject record = JsonParser.parseString(Files.readString(to.resolve(DataSplit.FILE))).getAsJsonObject();
    Path relative = to.resolve(record.getAsJsonArray("corpus").get(0).getAsString()).toAbsolutePath().normalize();
    assertEquals(corpus.get(0).toAbsolutePath().normalize(), relative, "re-rooted to the copy's folder");
    JsonObject original = JsonParser.parseString(Files.readString(from.resolve(DataSplit.FILE))).getAsJsonObject();
    assertEquals(original.get("train_tokens"), record.get("train_tokens"), "the realised split is kept");
    assertEquals(DataSplit.of(from), DataSplit.of(to));
  }

  @Test
  void aFolderWithoutWeightsIsRefused() {
    CalmException e = assertThrows(CalmException.class,
        () -> CheckpointCompactor.compact(tmp.resolve("nothing"), tmp.resolve("out"), Dtype.BF16));
    assertTrue(e.getMessage().contains("is not a checkpoint"), e.getMessage());
  }
}
