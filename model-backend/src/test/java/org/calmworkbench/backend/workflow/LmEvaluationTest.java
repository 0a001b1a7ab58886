package org.calmworkbench.backend.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.TinyCalm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm eval} on a tiny CALM checkpoint. */
class LmEvaluationTest {

  @Test
  void calmCheckpointReportsTheDocumentedJson() throws Exception {
    LmEvaluation.Result r = LmEvaluation.run(new LmEvaluation.Options(TinyCalm.checkpoint(), List.of(TinyCalm.corpus()), 64, 1));
    JsonObject j = r.toJson();
    assertEquals(4, j.getAsJsonArray("brier").size());
    for (var b : j.getAsJsonArray("brier")) {
      assertTrue(b.getAsDouble() >= -1 && b.getAsDouble() <= 1, "Brier-n in [-1, 1]: " + b);
    }
    assertTrue(j.has("brier_lm") && j.has("stderr"), j.toString());
    assertEquals(64, j.get("positions").getAsLong());
    assertEquals(org.calmworkbench.backend.train.LmPresets.get("tiny").lm().contextChunks(), j.get("context_chunks").getAsInt(), "the context the tiny preset trained with, from config.json");
    assertEquals("calm_energy", j.get("model_type").getAsString());
    assertTrue(!j.has("exact_brier_1"), "exact Brier-1 is only for AR models");
    System.out.println("tiny CALM eval: " + j);
  }

  @Test
  void sameSeedGivesTheSameScores() throws Exception {
    LmEvaluation.Options o = new LmEvaluation.Options(TinyCalm.checkpoint(), List.of(TinyCalm.corpus()), 32, 7);
    assertEquals(LmEvaluation.run(o).toJson(), LmEvaluation.run(o).toJson());
  }

  @Test
  void validSplitScoresOnlyTheRunsHeldOutText() throws Exception {
    // Ask for more positions than the held-out part holds: with split valid the count is capped by the
    // held-out tokens of the split the run recorded, so it is smaller than over the whole corpus, and
    // the text scored (hence the scores, same seed) differs.
    int many = 1_000_000;
    LmEvaluation.Result all = LmEvaluation.run(new LmEvaluation.Options(TinyCalm.checkpoint(), List.of(TinyCalm.corpus()),
        many, 3, null, "all"));
    LmEvaluation.Result valid = LmEvaluation.run(new LmEvaluation.Options(TinyCalm.checkpoint(), List.of(TinyCalm.corpus()),
        many, 3, null, "valid"));
    assertTrue(valid.brier().patches() > 0, "the held-out part scores some positions");
    assertTrue(valid.brier().patches() < all.brier().patches() / 4,
        "held out (about 10%): " + valid.brier().patches() + " positions of " + all.brier().patches());
    assertEquals("valid", valid.toJson().get("split").getAsString());
    assertEquals("all", all.toJson().get("split").getAsString());
    CalmException e = assertThrows(CalmException.class, () -> new LmEvaluation.Options(TinyCalm.checkpoint(),
        List.of(TinyCalm.corpus()), 8, 1, null, "test"));
    assertTrue(e.getMessage().contains("--split") && e.getMessage().contains("'test'"), e.getMessage());
  }

  @Test
  void autoencoderCheckpointIsPointedToAeEval() {
    Path ae = TinyCalm.checkpoint().resolve("autoencoder");
    CalmException e = assertThrows(CalmException.class,
        () -> LmEvaluation.run(new LmEvaluation.Options(ae, List.of(TinyCalm.corpus()), 8, 1)));
    assertTrue(e.getMessage().contains("calm_autoencoder") && e.getMessage().contains("ae eval"), e.getMessage());
  }

  @Test
  void corpusShorterThanOneWindowIsNamed(@TempDir Path tmp) throws Exception {
    Path tiny = tmp.resolve("short.txt");
    Files.writeString(tiny, "the cat sees a red ball.");
    CalmException e = assertThrows(CalmException.class,
        () -> LmEvaluation.run(new LmEvaluation.Options(TinyCalm.checkpoint(), List.of(tiny), 8, 1)));
    assertTrue(e.getMessage().contains("short.txt") && e.getMessage().contains("window"), e.getMessage());
  }
}
