package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training of a tiny autoencoder on synthetic, learnable token data. */
public class AutoencoderTrainerTest {
  static final int VOCAB = 48;

  /** A corpus with structure: repeated random "words" of 2-6 tokens. */
  static int[] corpus(long seed, int length) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[][] words = new int[60][];
    for (int i = 0; i < words.length; i++) {
      words[i] = rng.ints(2 + rng.nextInt(5), 2, VOCAB).toArray();
    }
    int[] out = new int[length];
    int n = 0;
    while (n < length) {
      for (int t : words[rng.nextInt(words.length)]) {
        if (n < length) {
          out[n++] = t;
        }
      }
    }
    return out;
  }

  static final int[] ALL = corpus(1, 22_000);
  static final int[] TRAIN = java.util.Arrays.copyOfRange(ALL, 0, 20_000);
  /** Held-out tokens of the same "words" as the training split (ids 2..VOCAB-1; no end-of-text id). */
  public static final int[] HELD_OUT = java.util.Arrays.copyOfRange(ALL, 20_000, 22_000);

  static long[] valid(int[] tokens, int k) {
    long[] v = new long[(tokens.length / k) * k];
    for (int i = 0; i < v.length; i++) {
      v[i] = tokens[i];
    }
    return v;
  }

  public static AutoencoderTrainer.Request request(Path out, int steps, boolean resume) {
    AePresets.Preset p = AePresets.get("tiny");
    AutoencoderConfig cfg = p.modelConfig(VOCAB);
    Map<String, Number> overrides = Map.of("steps", steps, "batch_size", 128, "eval_every", 50);
    return new AutoencoderTrainer.Request(cfg, p.train().with(overrides),
        PatchSampler.uniform(TRAIN), valid(HELD_OUT, 4), out, null, resume);
  }

  @Test
  void aRunWithoutABudgetIsRefusedBeforeItWritesAnything(@TempDir Path dir) {
    AutoencoderTrainer.Request r = request(dir.resolve("run"), 0, false);
    r = new AutoencoderTrainer.Request(r.model(), r.train().with(Map.of("time_limit", 0.0)), r.trainData(),
        r.validPatches(), r.out(), null, false);
    AutoencoderTrainer.Request noBudget = r;
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderTrainer.run(noBudget, p -> {}, TrainControl.NONE));
    assertEquals("set steps or time_limit: both are 0, so training would never end", e.getMessage());
    assertFalse(Files.exists(noBudget.out().resolve("metrics.jsonl")));
  }

  /** The per-step training losses recorded in metrics.jsonl. */
  static List<Double> losses(AutoencoderTrainer.Request r) throws Exception {
    AutoencoderTrainer.run(r, p -> {}, TrainControl.NONE);
    List<Double> out = new ArrayList<>();
    for (String line : Files.readAllLines(r.out().resolve("metrics.jsonl"))) {
      out.add(com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("loss").getAsDouble());
    }
    return out;
  }

  @Test
  void learnsToReconstructHeldOutChunks(@TempDir Path dir) throws Exception {
    List<TrainingLoop.Progress> seen = new ArrayList<>();
    TrainingLoop.Result res = AutoencoderTrainer.run(request(dir, 300, false), seen::add, TrainControl.NONE);
    assertEquals(300, res.steps());
    assertEquals(300L * 128 * 4, res.tokensSeen());
    assertTrue(seen.get(seen.size() - 1).loss() < seen.get(0).loss() / 3,
        "loss should fall: first " + seen.get(0).loss() + ", last " + seen.get(seen.size() - 1).loss());
    TrainingLoop.Progress last = seen.get(seen.size() - 1);
    Double heldOut = last.evalMetric("valid_token_accuracy");
    assertTrue(heldOut != null && heldOut > 0.85, "held-out token accuracy " + heldOut);
    for (String f : List.of("config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json", "metrics.jsonl")) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    assertFalse(Files.exists(dir.resolve(".pending")));
    // The best checkpoint by held-out token accuracy is kept, loadable, with the step it came from.
    double bestSeen = seen.stream().map(p -> p.evalMetric("valid_token_accuracy")).filter(java.util.Objects::nonNull)
        .mapToDouble(Double::doubleValue).max().orElseThrow();
    com.google.gson.JsonObject info = com.google.gson.JsonParser.parseString(
        Files.readString(dir.resolve("best/best.json"))).getAsJsonObject();
    assertEquals(bestSeen, info.get("value").getAsDouble(), 0.0);
    assertEquals("valid_token_accuracy", info.get("metric").getAsString());
    long bestStep = info.get("step").getAsLong();
    assertEquals(bestSeen, seen.stream().filter(p -> p.step() == bestStep).findFirst().orElseThrow()
        .evalMetric("valid_token_accuracy"), 0.0, "best.json names the step of the best evaluation");
    try (AutoencoderCheckpoint best = AutoencoderCheckpoint.load(dir.resolve("best"))) {
      assertEquals(best.config(), AutoencoderCheckpoint.load(dir).config());
    }
  }

  @Test
  void sameSeedGivesSameLossCurve(@TempDir Path a, @TempDir Path b) throws Exception {
    List<Double> first = losses(request(a, 30, false));
    List<Double> second = losses(request(b, 30, false));
    assertEquals(30, first.size());
    assertEquals(first, second);
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path straight, @TempDir Path split) throws Exception {
    AutoencoderTrainer.run(request(straight, 40, false), p -> {}, TrainControl.NONE);
    AutoencoderTrainer.run(request(split, 20, false), p -> {}, TrainControl.NONE);
    TrainingLoop.Result resumed = AutoencoderTrainer.run(request(split, 40, true), p -> {}, TrainControl.NONE);
    assertEquals(40, resumed.steps());
    Map<String, Tensor> x = Safetensors.read(straight.resolve("model.safetensors")).tensors();
    Map<String, Tensor> y = Safetensors.read(split.resolve("model.safetensors")).tensors();
    assertEquals(x.keySet(), y.keySet());
    for (String name : x.keySet()) {
      assertArrayEquals(x.get(name).data(), y.get(name).data(), 0f, name);
    }
    assertEquals(lossCurve(straight), lossCurve(split), "the loss curve, bit for bit");
    assertEquals(40, lossCurve(split).size());
  }

  /** The "loss" of every line of DIR/metrics.jsonl, exactly as written. */
  public static List<String> lossCurve(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("metrics.jsonl"))) {
      out.add(com.google.gson.JsonParser.parseString(line).getAsJsonObject().get("loss").getAsString());
    }
    return out;
  }

  @Test
  void stopRequestSavesACheckpointThatResumes(@TempDir Path dir) throws Exception {
    int[] polls = {0};
    TrainingLoop.Result r = AutoencoderTrainer.run(request(dir, 1000, false), p -> {}, () -> ++polls[0] > 15);
    assertEquals("stopped", r.stopReason());
    assertTrue(r.steps() > 0 && r.steps() < 1000, "steps " + r.steps());
    assertEquals(r.steps(), TrainerState.read(dir.resolve("trainer_state.json")).step());
    // the run's metadata names the device it trained on (this process's selection)
    assertEquals(ComputeDevice.current().name(), com.google.gson.JsonParser.parseString(
        Files.readString(dir.resolve("trainer_state.json"))).getAsJsonObject().get("device").getAsString());
    TrainingLoop.Result resumed = AutoencoderTrainer.run(request(dir, (int) r.steps() + 5, true), p -> {}, TrainControl.NONE);
    assertEquals(r.steps() + 5, resumed.steps());
  }

  @Test
  void refusesToOverwriteACheckpointWithoutResume(@TempDir Path dir) throws Exception {
    AutoencoderTrainer.run(request(dir, 3, false), p -> {}, TrainControl.NONE);
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderTrainer.run(request(dir, 3, false), p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void divergingLossStopsAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
    // The paper's kl_weight: with it, lr = 1 without clipping diverges within 50 steps (the presets'
    // stronger KL term can keep the tiny model finite that long).
    AutoencoderTrainer.Request first = request(dir, 5, false);
    AutoencoderConfig paperKl = first.model().with(Map.of("kl_weight", 1e-3));
    AutoencoderTrainer.run(new AutoencoderTrainer.Request(paperKl, first.train(), first.trainData(), first.validPatches(),
        dir, null, false), p -> {}, TrainControl.NONE);
    byte[] before = Files.readAllBytes(dir.resolve("model.safetensors"));
    AutoencoderTrainer.Request r = request(dir, 50, true);
    AutoencoderTrainer.Request bad = new AutoencoderTrainer.Request(paperKl, r.train().with(Map.of("lr", 1.0, "grad_clip", 0,
        // no time-based checkpoint during the run: on a loaded machine the tiny preset's 30 s elapse
        // before the loss diverges, and a newer good checkpoint would replace the one compared here
        "checkpoint_every", 1e9)),
        r.trainData(), r.validPatches(), dir, null, true);
    // lr = 1 without clipping diverges; if the loss stays finite the run just ends, and that is a failure here.
    CalmException e = assertThrows(CalmException.class, () -> AutoencoderTrainer.run(bad, p -> {}, TrainControl.NONE));
    assertTrue(e.getMessage().contains("last good checkpoint"), e.getMessage());
    // Whichever check sees it first (the loss with its largest weight, a gradient or a weight), the
    // message gives the step and names a tensor as the checkpoint does.
    assertTrue(e.getMessage().matches("training stopped at step \\d+: .*\\b(encoder|decoder)\\.[a-z0-9_.]+\\b.*"),
        e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(dir.resolve("model.safetensors")));
  }
}
