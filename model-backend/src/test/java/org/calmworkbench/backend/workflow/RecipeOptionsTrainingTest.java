package org.calmworkbench.backend.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.model.LatentScale;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.TrainControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipe options of the CALM ablation, end to end on the tiny corpus: standardised targets
 * ({@link LatentScale}) and the diagnostics every energy-head run writes (reference levels,
 * on-manifold fraction).
 */
class RecipeOptionsTrainingTest {
  @TempDir Path tmp;

  @Test
  void standardisedLatentsTrainKeepTheirStatisticsAndGenerateRawLatents() throws Exception {
    Path out = tmp.resolve("std");
    LmTraining.run(LmHeadsTrainingTest.options(out, "energy", List.of("batch_size=4", "eval_positions=24",
        "standardize_latents=1", "target_samples=4"), 6, false), p -> {}, TrainControl.NONE);

    assertTrue(Files.isRegularFile(out.resolve(LatentScale.FILE)), "the statistics are part of the checkpoint");
    JsonObject metrics = LmHeadsTrainingTest.lastMetrics(out);
    for (String key : List.of(CalmTrainer.MARGINAL_KEY, CalmTrainer.ORACLE_KEY, CalmTrainer.ON_MANIFOLD_KEY,
        "valid_energy_loss", "brier_lm")) {
      assertTrue(metrics.has(key) && Double.isFinite(metrics.get(key).getAsDouble()), key + " in " + metrics);
    }
    double marginal = metrics.get(CalmTrainer.MARGINAL_KEY).getAsDouble();
    double oracle = metrics.get(CalmTrainer.ORACLE_KEY).getAsDouble();
    assertTrue(0 < oracle && oracle < marginal, "oracle " + oracle + " below marginal " + marginal);
    double valid = metrics.get("valid_energy_loss").getAsDouble();
    assertEquals((marginal - valid) / (marginal - oracle), metrics.get(CalmTrainer.CONTEXT_GAIN_KEY).getAsDouble(), 1e-9,
        "context_gain places the held-out loss between the two levels");
    try (CalmCheckpoint ck = CalmCheckpoint.load(out); NDManager m = NDManager.newBaseManager()) {
      LatentScale scale = ck.model().latentScale();
      assertNotNull(scale, "loaded with its latent scale");
      // The standardised statistics of the training chunks are about N(0, 1) per dimension, and
      // toRaw undoes standardize.
      NDArray z = m.create(scale.mean()).reshape(1, -1).add(m.create(scale.std()).reshape(1, -1).mul(m.create(2f)));
      NDArray x = scale.standardize(m, z);
      assertArrayEquals(new float[scale.size()], x.sub(m.create(2f)).toFloatArray(), 1e-5f);
      assertArrayEquals(z.toFloatArray(), scale.toRaw(m, x).toFloatArray(), 1e-5f);
      CalmGenerator.Result r = CalmGenerator.run(ck, CalmGenerator.Options.of("The").withMaxTokens(8), e -> {}, () -> false);
      assertTrue(r.tokens() > 0);
    }
  }

  @Test
  void rawLatentsByDefault() throws Exception {
    Path out = tmp.resolve("raw");
    LmTraining.run(LmHeadsTrainingTest.options(out, "energy", List.of("batch_size=4", "eval_positions=0",
        "target_samples=4"), 2, false), p -> {}, TrainControl.NONE);

    assertTrue(Files.notExists(out.resolve(LatentScale.FILE)));
    try (CalmCheckpoint ck = CalmCheckpoint.load(out)) {
      assertNull(ck.model().latentScale());
    }
  }
}
