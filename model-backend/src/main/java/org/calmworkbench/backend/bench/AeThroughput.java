package org.calmworkbench.backend.bench;

import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsHeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.PatchSampler;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * Autoencoder training throughput against the matmul roofline, measured in one run so the ratio is
 * not at the mercy of a noisy machine. Token ids are random: throughput does not depend on them.
 */
public final class AeThroughput {
  private AeThroughput() {}

  /**
   * One measurement. Besides speed, what the vocabulary costs: {@code parameters} (all, from the
   * saved weights), {@code outputParameters} (the tied embedding / output projection, V x H), the
   * output projection's share of the training FLOPs, the logits of one step (B*K x V fp32; the
   * backward pass holds a gradient of the same size) and the process's peak RSS while training.
   */
  public record Result(
      String preset, int vocabSize, int batchSize, int measuredSteps, double tokensPerSecond,
      double flopsPerToken, double achievedFlops, double rooflineFlops, int rooflineSize, double fractionOfRoofline,
      long parameters, long outputParameters, double outputFlopsShare, long logitsBytes, long peakRssBytes) {

    /** Weights, gradients and AdamW's two moments, all fp32: 16 bytes per parameter. */
    public long trainingStateBytes() {
      return 16 * parameters;
    }
  }

  /** {@link #run(String, int, int, int, int, int)} with the preset's batch size. */
  public static Result run(String presetName, int vocabSize, int steps, int warmupSteps, int rooflineSize)
      throws IOException, InterruptedException {
    return run(presetName, vocabSize, 0, steps, warmupSteps, rooflineSize);
  }

  /** @param batchSize chunks per step; 0 keeps the preset's */
  public static Result run(String presetName, int vocabSize, int batchSize, int steps, int warmupSteps,
      int rooflineSize) throws IOException, InterruptedException {
    AePresets.Preset preset = AePresets.get(presetName);
    AutoencoderConfig cfg = preset.modelConfig(vocabSize);
    Map<String, Number> overrides = new java.util.HashMap<>(Map.of("steps", warmupSteps + steps,
        "eval_every", Integer.MAX_VALUE, "checkpoint_every", 1e8, "time_limit", 0));
    if (batchSize > 0) {
      overrides.put("batch_size", batchSize);
    }
    TrainConfig tc = preset.train().with(overrides);
    int[] tokens = new SplittableRandom(1).ints(1 << 20, 0, vocabSize).toArray();
    double rooflineBefore = Roofline.matmulFlops(rooflineSize, 5);
    Path dir = Files.createTempDirectory("calm-bench-ae");
    List<double[]> marks = new ArrayList<>(); // (step, seconds since start)
    long t0 = System.nanoTime();
    long[] peakRss = {ProcessMemory.rssBytes()};
    AutoencoderTrainer.run(new AutoencoderTrainer.Request(cfg, tc, PatchSampler.uniform(tokens), new long[0], dir, null, false),
        p -> {
          marks.add(new double[] {p.step(), (System.nanoTime() - t0) / 1e9});
          peakRss[0] = Math.max(peakRss[0], ProcessMemory.rssBytes());
        }, TrainControl.NONE);
    long parameters = 0;
    for (SafetensorsHeader.Entry e : Safetensors.readHeader(dir.resolve(TrainingLoop.MODEL)).entries().values()) {
      parameters += e.numel();
    }
    AtomicFiles.deleteTree(dir);
    // Best of before and after: a busy machine slows both, and the best is the closest to the ceiling.
    double roofline = Math.max(rooflineBefore, Roofline.matmulFlops(rooflineSize, 5));
    double[] first = marks.stream().filter(m -> m[0] >= warmupSteps).findFirst().orElse(marks.get(0));
    double[] last = marks.get(marks.size() - 1);
    int measured = (int) (last[0] - first[0]);
    double tps = measured * (double) tc.batchSize() * cfg.patchSize() / (last[1] - first[1]);
    double flopsPerToken = new Autoencoder(cfg).trainingFlopsPerToken();
    double achieved = tps * flopsPerToken;
    long outputParameters = (long) vocabSize * cfg.hiddenSize();
    double outputShare = 6.0 * outputParameters / flopsPerToken;
    long logitsBytes = 4L * tc.batchSize() * cfg.patchSize() * vocabSize;
    return new Result(presetName, vocabSize, tc.batchSize(), measured, tps, flopsPerToken, achieved, roofline, rooflineSize,
        achieved / roofline, parameters, outputParameters, outputShare, logitsBytes, peakRss[0]);
  }

}
