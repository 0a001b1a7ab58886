package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.cli.CliAutoencoderTest.Run;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model commands end to end, in process: {@code lm train}, {@code ar train}, {@code
 * eval}, {@code generate}, {@code sampler-check} and {@code inspect forward} on an energy model,
 * with their documented JSON and their errors (exit 2, one line).
 */
class CliLanguageModelTest {
  @TempDir static Path shared;
  static Path corpus;
  static Path ae;
  static Path lm;
  static Path ar;

  static Run calm(String... args) {
    return CliAutoencoderTest.calm(args);
  }

  @BeforeAll
  static void trainTinyModels() throws Exception {
    Files.writeString(shared.resolve("project.json"), "{}"); // keeps the token cache in the temp folder
    corpus = shared.resolve("corpus.jsonl");
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      lines.add("{\"text\": \"" + CliAutoencoderTest.sentences(40 + d) + "\"}");
    }
    Files.write(corpus, lines);
    ae = shared.resolve("ae");
    lm = shared.resolve("lm");
    ar = shared.resolve("ar");
    Run r = calm("ae", "train", "--corpus", corpus.toString(), "--out", ae.toString(), "--preset", "tiny",
        "--vocab-size", "300", "--steps", "100", "--json");
    assertEquals(0, r.code(), r.err());
    r = calm("lm", "train", "--autoencoder", ae.toString(), "--corpus", corpus.toString(), "--out", lm.toString(),
        "--preset", "tiny", "--set", "context_chunks=8", "--set", "eval_positions=16", "--eval-every", "10", "--steps", "20",
        "--json");
    assertEquals(0, r.code(), r.err());
    r = calm("ar", "train", "--tokenizer", ae.toString(), "--corpus", corpus.toString(), "--out", ar.toString(),
        "--preset", "tiny", "--set", "context_chunks=8", "--set", "eval_positions=16", "--steps", "20", "--json");
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void lmTrainWritesBrierLmIntoMetricsEveryEvalEverySteps() throws Exception {
    List<JsonObject> evals = new ArrayList<>();
    for (String line : Files.readAllLines(lm.resolve("metrics.jsonl"))) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      if (o.has("brier_lm")) {
        evals.add(o);
      }
    }
    assertEquals(List.of(10L, 20L), evals.stream().map(o -> o.get("step").getAsLong()).toList(), evals.toString());
    for (JsonObject o : evals) {
      for (int n = 1; n <= 4; n++) {
        assertTrue(o.has("brier_" + n), o.toString());
      }
    }
  }

  @Test
  void evalReportsTheDocumentedJsonForCalmAndAr() {
    for (Path ck : List.of(lm, ar)) {
      Run r = calm("eval", "--checkpoint", ck.toString(), "--corpus", corpus.toString(), "--positions", "24",
          "--seed", "3", "--json");
      assertEquals(0, r.code(), r.err());
      JsonObject j = r.json();
      JsonArray b = j.getAsJsonArray("brier");
      assertEquals(4, b.size(), j.toString());
      double product = 1;
      boolean allPositive = true;
      for (JsonElement e : b) {
        assertTrue(e.getAsDouble() >= -1 && e.getAsDouble() <= 1, j.toString());
        product *= e.getAsDouble();
        allPositive &= e.getAsDouble() > 0;
      }
      double brierLm = j.get("brier_lm").getAsDouble();
      // 100 x the geometric mean of Brier-1..4; defined as 0 when any is <= 0 (docs: eval/Brier.java)
      assertEquals(allPositive ? 100 * Math.pow(product, 0.25) : 0.0, brierLm, 1e-9, j.toString());
      if (allPositive) {
        assertTrue(j.get("stderr").getAsDouble() >= 0, j.toString());
      } else {
        assertTrue(j.get("stderr").isJsonNull(), "no standard error for a BrierLM defined as 0: " + j);
      }
      assertEquals(24, j.get("positions").getAsInt());
      assertEquals(ck == ar, j.has("exact_brier_1"), "exact Brier-1 only for the AR baseline: " + j);
    }
    Run bad = calm("eval", "--checkpoint", ae.toString(), "--corpus", corpus.toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().strip().lines().count() == 1 && bad.err().contains("ae eval"), bad.err());
  }

  @Test
  void lmLevelsScoresMarginalOracleArAndCalmOnTheSameChunks() {
    Run r = calm("lm", "levels", "--checkpoint", lm.toString(), "--ar", ar.toString(), "--windows", "4",
        "--samples", "4", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject levels = r.json().getAsJsonObject("levels");
    assertEquals(List.of("marginal", "oracle", "ar_baseline", "calm"), List.copyOf(levels.keySet()));
    int positions = r.json().get("positions").getAsInt();
    assertTrue(positions > 0 && positions % 4 == 0, "whole windows of positions: " + r.json());
    JsonObject marginal = levels.getAsJsonObject("marginal");
    JsonObject oracle = levels.getAsJsonObject("oracle");
    assertEquals(0.0, marginal.get("gain").getAsDouble(), 1e-12);
    assertEquals(1.0, oracle.get("context_gain").getAsDouble(), 1e-9);
    // the oracle (the target's own posterior) is far below the marginal level, whatever the models learnt
    assertTrue(oracle.get("loss").getAsDouble() < marginal.get("loss").getAsDouble(), r.json().toString());
    for (String name : List.of("ar_baseline", "calm")) {
      JsonObject l = levels.getAsJsonObject(name);
      double gain = marginal.get("loss").getAsDouble() - l.get("loss").getAsDouble();
      assertEquals(gain, l.get("gain").getAsDouble(), 1e-9, "gain is marginal - level: " + l);
      assertTrue(l.get("gain_stderr").getAsDouble() > 0, l.toString());
    }

    Run again = calm("lm", "levels", "--checkpoint", lm.toString(), "--ar", ar.toString(), "--windows", "4",
        "--samples", "4", "--json");
    assertEquals(r.json(), again.json(), "the same seed gives the same levels");

    Run notCalm = calm("lm", "levels", "--checkpoint", ar.toString());
    assertEquals(2, notCalm.code(), notCalm.err());
    Run notAr = calm("lm", "levels", "--checkpoint", lm.toString(), "--ar", lm.toString());
    assertEquals(2, notAr.code(), notAr.err());
    assertTrue(notAr.err().strip().lines().count() == 1, notAr.err());
  }

  @Test
  void generateStreamsChunksAndReportsTheDocumentedJson() {
    Run r = calm("generate", "--checkpoint", lm.toString(), "--prompt", "the cat", "--max-tokens", "12",
        "--temperature", "0.5", "--sampler", "batch", "--candidates", "16", "--seed", "4", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject j = r.json();
    for (String key : List.of("text", "steps", "tokens", "tokens_per_second", "sampler_calls")) {
      assertTrue(j.has(key), key + " missing: " + j);
    }
    int steps = j.get("steps").getAsInt();
    assertTrue(steps >= 1 && steps <= 3, "12 tokens are at most 3 chunks of K=4: " + j);
    assertTrue(j.get("tokens").getAsInt() <= 4 * steps, j.toString());
    assertEquals(16L * steps, j.get("sampler_calls").getAsLong(), "batch draws N candidates per step");

    Run again = calm("generate", "--checkpoint", lm.toString(), "--prompt", "the cat", "--max-tokens", "12",
        "--temperature", "0.5", "--sampler", "batch", "--candidates", "16", "--seed", "4", "--json");
    assertEquals(j.get("text"), again.json().get("text"), "same seed, same text");

    Run human = calm("generate", "--checkpoint", lm.toString(), "--prompt", "the cat", "--max-tokens", "8",
        "--sampler", "greedy", "--show-chunks");
    assertEquals(0, human.code(), human.err());
    assertTrue(human.out().startsWith("the cat|"), human.out());
    assertTrue(human.out().contains("steps (K=4)"), human.out());
  }

  @Test
  void generateFromTheArBaselineTakesOneStepPerToken() {
    Run r = calm("generate", "--checkpoint", ar.toString(), "--prompt", "the cat", "--max-tokens", "6", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject j = r.json();
    int tokens = j.get("tokens").getAsInt();
    int steps = j.get("steps").getAsInt();
    assertTrue(steps == tokens || steps == tokens + 1, "one step per token (plus an end-of-text step): " + j);
    assertEquals("calm_ar", j.get("model_type").getAsString());
  }

  @Test
  void badGenerationSettingsGetOneLineErrors() {
    Run hot = calm("generate", "--checkpoint", lm.toString(), "--prompt", "x", "--temperature", "1.5");
    assertEquals(2, hot.code());
    assertEquals("error: temperature must be in (0, 1], got 1.5", hot.err().strip());
    Run zero = calm("generate", "--checkpoint", lm.toString(), "--prompt", "x", "--temperature", "0");
    assertEquals(2, zero.code());
    assertTrue(zero.err().contains("temperature must be in (0, 1]"), zero.err());
    Run sampler = calm("generate", "--checkpoint", lm.toString(), "--prompt", "x", "--sampler", "nucleus");
    assertEquals(2, sampler.code());
    assertTrue(sampler.err().contains("exact, batch or greedy"), sampler.err());
    String longPrompt = CliAutoencoderTest.sentences(20); // far more than context_chunks 8 x K 4 = 32 tokens
    Run tooLong = calm("generate", "--checkpoint", lm.toString(), "--prompt", longPrompt);
    assertEquals(2, tooLong.code());
    assertEquals(1, tooLong.err().strip().lines().count(), tooLong.err());
    assertTrue(tooLong.err().contains("context_chunks 8 x K=4"), tooLong.err());
    Run missing = calm("generate", "--checkpoint", shared.resolve("nothing").toString(), "--prompt", "x");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nothing"), missing.err());
  }

  @Test
  void samplerCheckMatchesTheTargetAndRejectsBadProbabilities() {
    Run exact = calm("sampler-check", "--probs", "0.5,0.3,0.2", "--temperature", "0.5", "--method", "exact",
        "--draws", "20000", "--seed", "1", "--json");
    assertEquals(0, exact.code(), exact.err());
    JsonObject j = exact.json();
    JsonArray target = j.getAsJsonArray("target");
    double z = 0.25 + 0.09 + 0.04;
    assertEquals(0.25 / z, target.get(0).getAsDouble(), 1e-12);
    assertEquals(0.04 / z, target.get(2).getAsDouble(), 1e-12);
    assertTrue(j.get("total_variation").getAsDouble() < 0.02, j.toString());
    assertTrue(j.get("mean_sampler_calls").getAsDouble() >= 2, "1/T = 2 draws at least: " + j);
    assertEquals(3, j.getAsJsonArray("frequencies").size());

    Run batch = calm("sampler-check", "--probs", "0.5,0.3,0.2", "--temperature", "0.5", "--method", "batch",
        "--candidates", "8", "--draws", "2000", "--json");
    assertEquals(0, batch.code(), batch.err());
    assertEquals(8.0, batch.json().get("mean_sampler_calls").getAsDouble(), 1e-12);

    Run bad = calm("sampler-check", "--probs", "0.5,abc", "--temperature", "0.5", "--method", "exact", "--draws", "10");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("'abc'"), bad.err());
    Run negative = calm("sampler-check", "--probs", "0.5,-0.5,1", "--temperature", "0.5", "--method", "exact", "--draws", "10");
    assertEquals(2, negative.code());
    assertFalse(negative.err().contains("Exception"), negative.err());
  }

  @Test
  void inspectForwardOnTheReferenceEnergyCheckpointMatchesExpected() throws Exception {
    String dir = System.getProperty("calm.shared.dir");
    Path energy = dir == null ? null : Path.of(dir, "reference", "energy");
    Assumptions.assumeTrue(energy != null && Files.isRegularFile(energy.resolve("expected.json")),
        "skipped: ../shared/reference/energy not found (set calm.shared.dir)");
    JsonObject expected = JsonParser.parseString(Files.readString(energy.resolve("expected.json"))).getAsJsonObject();
    JsonObject input = new JsonObject();
    input.add("input_ids", expected.get("input_ids"));
    input.add("generator_noise", expected.get("generator_noise"));
    Path file = shared.resolve("energy-input.json");
    Files.writeString(file, input.toString());
    Run r = calm("inspect", "forward", "--checkpoint", energy.toString(), "--input", file.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject out = r.json();
    for (String key : List.of("patch_embeddings", "hidden_states", "generator_output")) {
      double worst = maxAbsDiff(expected.get(key), out.get(key));
      assertTrue(worst < 1e-4, key + " differs by " + worst);
    }
  }

  static double maxAbsDiff(JsonElement a, JsonElement b) {
    if (a.isJsonArray()) {
      JsonArray x = a.getAsJsonArray();
      JsonArray y = b.getAsJsonArray();
      assertEquals(x.size(), y.size());
      double worst = 0;
      for (int i = 0; i < x.size(); i++) {
        worst = Math.max(worst, maxAbsDiff(x.get(i), y.get(i)));
      }
      return worst;
    }
    return Math.abs(a.getAsDouble() - b.getAsDouble());
  }
}
