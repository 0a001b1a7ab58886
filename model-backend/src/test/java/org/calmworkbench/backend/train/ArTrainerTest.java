package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.workflow.ArTraining;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training of a tiny AR baseline on synthetic, learnable token data. */
class ArTrainerTest {
  static final int VOCAB = AutoencoderTrainerTest.VOCAB;
  static final TokenIds TRAIN = TokenIds.of(AutoencoderTrainerTest.TRAIN);
  static final TokenIds HELD_OUT = TokenIds.of(AutoencoderTrainerTest.HELD_OUT);

  static ArConfig config() {
    return ArTraining.fromPreset(LmPresets.get("tiny"), VOCAB);
  }

  static ArTrainer.Request request(Path out, int steps, int evalPositions, boolean resume) {
    LmPresets.Preset p = LmPresets.get("tiny");
    TrainConfig train = p.train().with(Map.of("steps", steps, "batch_size", 16, "eval_every", 100, "lr", 3e-3));
    LmSettings lm = p.lm().with(Map.of("context_chunks", 8, "eval_positions", evalPositions)); // T = 32 tokens
    return new ArTrainer.Request(config(), train, lm, TRAIN, HELD_OUT, out, "{\"tok\":1}".getBytes(StandardCharsets.UTF_8),
        resume);
  }

  @Test
  void learnsTheRepeatedWordsAndReportsHeldOutMetrics(@TempDir Path dir) throws Exception {
    List<TrainingLoop.Progress> seen = new ArrayList<>();
    TrainingLoop.Result res = ArTrainer.run(request(dir, 200, 64, false), seen::add, TrainControl.NONE);
    assertEquals(200, res.steps());
    assertEquals(200L * 16 * 32, res.tokensSeen()); // B * T per step, T = context_chunks * 4
    double first = seen.get(0).loss();
    double last = seen.get(seen.size() - 1).loss();
    assertTrue(Math.abs(first - Math.log(VOCAB)) < 0.3, "an untrained model is near uniform: first loss " + first);
    assertTrue(last < first - 1.0, "loss should fall by over a nat: first " + first + ", last " + last);
    TrainingLoop.Progress end = seen.get(seen.size() - 1);
    Double validCe = end.evalMetric("valid_ce");
    assertTrue(validCe != null && validCe < Math.log(VOCAB) - 1.0, "held-out cross-entropy " + validCe);
    assertEquals(Math.exp(validCe), end.evalMetric("valid_perplexity"), 1e-9);
    assertTrue(end.evalMetric("brier_lm") > 0, "brier_lm " + end.evalMetric("brier_lm"));
    assertTrue(end.evalMetric("brier_1_exact") > 0.05, "brier_1_exact " + end.evalMetric("brier_1_exact"));

    for (String f : List.of("config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json",
        "metrics.jsonl", "tokenizer.json")) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    assertEquals("calm_ar", cfg.get("model_type").getAsString());
    assertEquals(32, cfg.get("context_tokens").getAsInt());
    assertEquals(config(), ArConfig.read(dir.resolve("config.json")));
    assertEquals("calm_ar", TrainerState.read(dir.resolve("trainer_state.json")).kind());
    assertTrue(Safetensors.read(dir.resolve("model.safetensors")).tensors().containsKey("lm_head.weight"));
    try (ArCheckpoint ck = ArCheckpoint.load(dir)) {
      assertEquals(32, ck.maxContextTokens());
      assertEquals(validCe, ArTrainer.validationCrossEntropy(ck.model(), HELD_OUT, 32, 36, ck.manager()), 1e-5);
    }
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path straight, @TempDir Path split) throws Exception {
    ArTrainer.run(request(straight, 30, 8, false), p -> {}, TrainControl.NONE);
    ArTrainer.run(request(split, 15, 8, false), p -> {}, TrainControl.NONE);
    TrainingLoop.Result resumed = ArTrainer.run(request(split, 30, 8, true), p -> {}, TrainControl.NONE);
    assertEquals(30, resumed.steps());
    Map<String, Tensor> x = Safetensors.read(straight.resolve("model.safetensors")).tensors();
    Map<String, Tensor> y = Safetensors.read(split.resolve("model.safetensors")).tensors();
    assertEquals(x.keySet(), y.keySet());
    for (String name : x.keySet()) {
      assertArrayEquals(x.get(name).data(), y.get(name).data(), 0f, name);
    }
    assertEquals(30, AutoencoderTrainerTest.lossCurve(split).size());
    assertEquals(AutoencoderTrainerTest.lossCurve(straight), AutoencoderTrainerTest.lossCurve(split),
        "the loss curve, bit for bit");
  }

  @Test
  void resumingWithAnotherArchitectureIsRefused(@TempDir Path dir) throws Exception {
    ArTrainer.run(request(dir, 2, 0, false), p -> {}, TrainControl.NONE);
    ArTrainer.Request r = request(dir, 4, 0, true);
    ArTrainer.Request wider = new ArTrainer.Request(r.model().with(Map.of("hidden_size", 128)), r.train(), r.lm(),
        r.trainIds(), r.validIds(), dir, null, true);
    CalmException e = assertThrows(CalmException.class, () -> ArTrainer.run(wider, p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("architecture"), e.getMessage());
  }

  @Test
  void aCorpusShorterThanOneWindowIsAnErrorNamingTheContext(@TempDir Path dir) {
    ArTrainer.Request r = request(dir, 2, 0, false);
    ArTrainer.Request tiny = new ArTrainer.Request(r.model(), r.train(), r.lm(), TokenIds.of(new int[20]), r.validIds(),
        dir, null, false);
    CalmException e = assertThrows(CalmException.class, () -> ArTrainer.run(tiny, p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("context_chunks"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("model.safetensors")));
  }

  @Test
  void contextInTokensIsCalmsAtKEqualFour() {
    LmSettings lm = LmPresets.get("laptop").lm();
    assertEquals(lm.contextChunks() * 4, ArTrainer.contextTokens(lm));
    assertEquals((lm.contextChunks() + 1) * 4, ArTrainer.windowTokens(lm));
  }
}
