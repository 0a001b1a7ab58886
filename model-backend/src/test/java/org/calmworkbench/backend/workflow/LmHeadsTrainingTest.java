package org.calmworkbench.backend.workflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.inspect.ForwardInspector;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calm lm train --head flow|diffusion} end to end on the tiny corpus and autoencoder of
 * {@link TinyCalm}: metrics with BrierLM, a checkpoint that records and reloads its head, and text
 * generated from it; plus the settings a head refuses.
 */
class LmHeadsTrainingTest {
  @TempDir static Path tmp;
  static Path flow;
  static Path diffusion;

  static LmTraining.Options options(Path out, String head, List<String> sets, int steps, boolean resume) {
    return new LmTraining.Options(resume ? null : TinyCalm.root().resolve("ae"), List.of(TinyCalm.corpus()), out, head,
        InputMode.DISCRETE, "tiny", sets, steps, null, 3L, resume);
  }

  @BeforeAll
  static void train() throws Exception {
    flow = tmp.resolve("flow");
    LmTraining.run(options(flow, "flow", List.of("batch_size=4", "eval_positions=24", "head_samples=2", "flow_steps=3",
        "flow_solver=euler"), 6, false), p -> {}, TrainControl.NONE);
    diffusion = tmp.resolve("diffusion");
    LmTraining.run(options(diffusion, "diffusion", List.of("batch_size=4", "eval_positions=24", "head_samples=2",
        "diffusion_steps=4", "diffusion_train_steps=100"), 6, false), p -> {}, TrainControl.NONE);
  }

  static JsonObject lastMetrics(Path dir) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve(TrainingLoop.METRICS));
    assertFalse(lines.isEmpty(), "metrics.jsonl of " + dir + " is empty");
    return JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
  }

  static void assertTrainedCheckpoint(Path dir, HeadType head, Map<String, String> headKeys) throws Exception {
    JsonObject metrics = lastMetrics(dir);
    for (String key : List.of("brier_lm", "brier_1", "valid_" + head.key() + "_loss")) {
      assertTrue(metrics.has(key), dir + " metrics lack " + key + ": " + metrics);
      assertTrue(Double.isFinite(metrics.get(key).getAsDouble()), key + " = " + metrics.get(key));
    }
    double brier = metrics.get("brier_lm").getAsDouble();
    assertTrue(brier >= -100 && brier <= 100, "brier_lm " + brier);
    assertFalse(metrics.has("valid_energy_loss"), "no energy loss for a " + head.key() + " head: " + metrics);

    JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    assertEquals(ModelType.calm(head).key(), config.get("model_type").getAsString(), "the model type names the head");
    headKeys.forEach((k, v) -> assertEquals(v, config.get(k).getAsString(), k));

    try (CalmCheckpoint ck = CalmCheckpoint.load(dir)) {
      assertEquals(head, ck.headConfig().type());
      // metrics.jsonl's train_flops counts this head's passes (the number the GUI charts).
      double perToken = Flops.calmTrainingPerToken(ck.config(), ck.autoencoderCheckpoint().config(), ck.inputMode());
      long tokens = TrainerState.read(dir.resolve(TrainingLoop.STATE)).tokensSeen();
      assertEquals(perToken * tokens, metrics.get("train_flops").getAsDouble(), 1e-9 * perToken * tokens);
      assertEquals(head, ck.model().head().type());
      // Save/load round trip: the loaded weights are the file's, bit for bit.
      SafetensorsFile file = Safetensors.read(dir.resolve("model.safetensors"));
      Map<String, Tensor> loaded = Weights.export(ck.model());
      assertEquals(file.tensors().keySet(), loaded.keySet());
      assertTrue(loaded.keySet().stream().anyMatch(n -> n.startsWith("mlp_generator.net.res_blocks.0.")), "names");
      loaded.forEach((name, t) -> assertArrayEquals(file.tensor(name).data(), t.data(), 0f, name));

      CalmGenerator.Options o = CalmGenerator.Options.of("the cat").withMaxTokens(8)
          .withMethod(CalmGenerator.Method.BATCH, 4).withSeed(5);
      List<CalmGenerator.ChunkEvent> events = new ArrayList<>();
      CalmGenerator.Result r = CalmGenerator.run(ck, o, events::add, () -> false);
      assertTrue(r.steps() >= 1 && r.steps() <= 2, "steps " + r.steps());
      assertEquals(r.steps(), events.size());
      assertEquals(4L * r.steps(), r.samplerCalls());
      CalmGenerator.Result again = CalmGenerator.run(ck, o, e -> {}, () -> false);
      assertEquals(r.text(), again.text(), "the seed fixes the " + head.key() + " head's noise");
      // Two samples share each step's head and decoder pass; each is still its own seed's text.
      List<CalmGenerator.Result> two = CalmGenerator.runSamples(ck, o, 2, (row, e) -> {}, () -> false, true);
      assertEquals(r.text(), two.get(0).text(), head.key() + " head, sample 0");
      assertEquals(CalmGenerator.run(ck, o.withSeed(6), e -> {}, () -> false).text(), two.get(1).text(),
          head.key() + " head, sample 1 = seed + 1");
      System.out.printf("tiny CALM, %s head: \"%s\"%n", head.key(), r.text());

      JsonObject input = new JsonObject();
      input.add("input_ids", JsonParser.parseString("[[1, 2, 3, 4, 5, 6, 7, 8]]"));
      JsonObject out = ForwardInspector.energy(ck, input, "input.json");
      assertTrue(out.has("hidden_states"));
      input.add("generator_noise", JsonParser.parseString("[[[0.1], [0.2]]]"));
      CalmException e = assertThrows(CalmException.class, () -> ForwardInspector.energy(ck, input, "input.json"));
      assertTrue(e.getMessage().contains("energy head") && e.getMessage().contains(head.key() + " head"), e.getMessage());
    }
  }

  @Test
  void flowHeadTrainsEvaluatesReloadsAndGenerates() throws Exception {
    assertTrainedCheckpoint(flow, HeadType.FLOW, Map.of("flow_steps", "3", "flow_solver", "euler", "head_samples", "2"));
  }

  @Test
  void diffusionHeadTrainsEvaluatesReloadsAndGenerates() throws Exception {
    assertTrainedCheckpoint(diffusion, HeadType.DIFFUSION,
        Map.of("diffusion_steps", "4", "diffusion_train_steps", "100", "head_samples", "2"));
  }

  @Test
  void anotherHeadsSettingIsRefusedByName() {
    CalmException e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x1"), "flow",
        List.of("beta=1.5"), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("beta") && e.getMessage().contains("flow head")
        && e.getMessage().contains("energy head"), e.getMessage());
    e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x2"), "energy",
        List.of("diffusion_steps=10"), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("diffusion_steps") && e.getMessage().contains("diffusion head"), e.getMessage());
    e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x3"), "diffusion",
        List.of("flow_steps=10"), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("flow_steps"), e.getMessage());
    e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x4"), "gan",
        List.of(), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("--head") && e.getMessage().contains("gan")
        && e.getMessage().contains("diffusion"), e.getMessage());
    e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x5"), "flow",
        List.of("flow_solver=rk4"), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("flow_solver"), e.getMessage());
    e = assertThrows(CalmException.class, () -> LmTraining.run(options(tmp.resolve("x6"), "diffusion",
        List.of("diffusion_steps=50", "diffusion_train_steps=20"), 1, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("diffusion_steps") && e.getMessage().contains("diffusion_train_steps"),
        e.getMessage());
  }

  @Test
  void resumeKeepsTheHeadAndRefusesAnother() {
    CalmException e = assertThrows(CalmException.class, () -> LmTraining.run(options(flow, "diffusion", List.of(), 7,
        true), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("flow head") && e.getMessage().contains("--head flow"), e.getMessage());
  }

  @Test
  void aBadHeadInConfigJsonNamesTheFile(@TempDir Path dir) throws Exception {
    Path copy = dir.resolve("lm");
    Files.createDirectories(copy);
    for (String f : List.of("config.json", "model.safetensors")) {
      Files.copy(flow.resolve(f), copy.resolve(f));
    }
    JsonObject config = JsonParser.parseString(Files.readString(copy.resolve("config.json"))).getAsJsonObject();
    config.addProperty("head", "vae");
    Files.writeString(copy.resolve("config.json"), config.toString());
    CalmException e = assertThrows(CalmException.class, () -> CalmCheckpoint.load(copy));
    assertTrue(e.getMessage().contains(copy.resolve("config.json").toString()) && e.getMessage().contains("vae"),
        e.getMessage());
  }
}
