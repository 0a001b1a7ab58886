package org.calmworkbench.backend.bench;

import org.calmworkbench.backend.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.PatchSampler;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.NativeMemory;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * Memory over a long training run: trains a preset for many steps through the real trainer (the
 * same {@link TrainingLoop}, evaluation and periodic checkpoints as {@code calm ae train}) and
 * samples the process RSS and the heap after GC every {@code sampleEvery} steps. Flat memory
 * means the per-step NDManagers, metric buffers and checkpoints release what they take.
 *
 * <p>Token ids are uniform random over the vocabulary: memory per step does not depend on them,
 * and no tokenizer or corpus is needed. Samples are taken inside the progress listener, which the
 * loop calls at every evaluation; evaluation is set to every {@code sampleEvery} steps for that.
 */
public final class TrainingMemory {
  private TrainingMemory() {}

  public enum ModelKind {
    AE, LM;

    public static ModelKind parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "ae", "autoencoder" -> AE;
        case "lm", "calm" -> LM;
        default -> throw new CalmException("unknown model '" + s + "'; choose ae (the autoencoder) or lm (the CALM language model)");
      };
    }
  }

  /**
   * @param warmupStep growth is measured from the first sample at or after this step
   * @param vocabSize vocabulary of the random token ids
   */
  public record Options(ModelKind model, String preset, long steps, int sampleEvery, long warmupStep, int vocabSize,
      long seed, int evalEvery, Double checkpointEvery) {
    public Options(ModelKind model, String preset, long steps, int sampleEvery, long warmupStep, int vocabSize, long seed) {
      this(model, preset, steps, sampleEvery, warmupStep, vocabSize, seed, sampleEvery, null);
    }

    public Options {
      if (evalEvery < 1) {
        throw new CalmException("--eval-every must be at least 1, got " + evalEvery);
      }
      if (checkpointEvery != null && !(checkpointEvery > 0)) {
        throw new CalmException("--checkpoint-every must be positive seconds, got " + checkpointEvery);
      }
      if (steps < 1) {
        throw new CalmException("--steps must be at least 1, got " + steps);
      }
      if (sampleEvery < 1) {
        throw new CalmException("--sample-every must be at least 1, got " + sampleEvery);
      }
      if (warmupStep < 0 || warmupStep >= steps) {
        throw new CalmException("--warmup must be in [0, steps) so a sample after warm-up exists, got " + warmupStep
            + " with " + steps + " steps");
      }
      if (sampleEvery > steps - warmupStep) {
        throw new CalmException("--sample-every " + sampleEvery + " leaves no sample between the warm-up step " + warmupStep
            + " and the end (" + steps + " steps); sample more often");
      }
    }
  }

  public record Result(
      Options options, List<MemoryGrowth.Sample> samples, MemoryGrowth.Sample before, double rssGrowthPercent,
      double heapGrowthPercent, double rssPeakGrowthPercent, double stepsPerSecond, String rssSource, long maxHeapBytes,
      double nativeGrowthPercent, double nativePeakGrowthPercent, long initialHeapBytes, boolean mallocTrim) {}

  /** Runs the measurement; {@code onSample} sees each sample as it is taken (for progress output). */
  public static Result run(Options o, Consumer<MemoryGrowth.Sample> onSample, TrainControl control)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("calm-bench-memory");
    try {
      List<MemoryGrowth.Sample> samples = Collections.synchronizedList(new ArrayList<>());
      MemoryGrowth.Sample before = sample(0);
      long[] next = {o.sampleEvery()};
      TrainingLoop.Listener listener = p -> {
        // At the first report at or after each multiple of sampleEvery (exactly there when
        // evaluation runs on that schedule, as it does by default).
        if (p.step() >= next[0] || p.step() == o.steps()) {
          next[0] = (p.step() / o.sampleEvery() + 1) * o.sampleEvery();
          MemoryGrowth.Sample s = sample(p.step());
          samples.add(s);
          onSample.accept(s);
        }
      };
      TrainingLoop.Result r = switch (o.model()) {
        case AE -> trainAe(o, dir, listener, control);
        case LM -> trainLm(o, dir, listener, control);
      };
      List<MemoryGrowth.Sample> list = List.copyOf(samples);
      return new Result(o, list, before,
          MemoryGrowth.percent(list, o.warmupStep(), MemoryGrowth.Sample::rssBytes),
          MemoryGrowth.percent(list, o.warmupStep(), MemoryGrowth.Sample::heapUsedBytes),
          MemoryGrowth.peakPercent(list, o.warmupStep(), MemoryGrowth.Sample::rssBytes),
          r.steps() / Math.max(r.elapsedSeconds(), 1e-9), ProcessMemory.rssSource(), Runtime.getRuntime().maxMemory(),
          MemoryGrowth.percent(list, o.warmupStep(), MemoryGrowth.Sample::nativeBytes),
          MemoryGrowth.peakPercent(list, o.warmupStep(), MemoryGrowth.Sample::nativeBytes),
          java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit(), NativeMemory.available());
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  static MemoryGrowth.Sample sample(long step) {
    long heap = ProcessMemory.heapUsedAfterGc(); // first: the GC may return memory, then RSS is read
    java.lang.management.MemoryMXBean bean = java.lang.management.ManagementFactory.getMemoryMXBean();
    return new MemoryGrowth.Sample(step, ProcessMemory.rssBytes(), heap, bean.getHeapMemoryUsage().getCommitted(),
        bean.getNonHeapMemoryUsage().getCommitted(), step == 0 ? 0 : ProcessMemory.liveNdArrays());
  }

  /** Evaluation every evalEvery steps (by default sampleEvery: it forces a report there); checkpoints as the preset says unless given. */
  private static TrainConfig trainConfig(TrainConfig preset, Options o) {
    Map<String, Number> m = new java.util.HashMap<>(Map.of("steps", o.steps(), "eval_every", o.evalEvery(), "time_limit", 0,
        "seed", o.seed()));
    if (o.checkpointEvery() != null) {
      m.put("checkpoint_every", o.checkpointEvery());
    }
    return preset.with(m);
  }

  private static TrainingLoop.Result trainAe(Options o, Path dir, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    AePresets.Preset preset = AePresets.get(o.preset());
    AutoencoderConfig cfg = preset.modelConfig(o.vocabSize());
    SplittableRandom rng = new SplittableRandom(o.seed());
    int[] train = rng.ints(1 << 20, 0, o.vocabSize()).toArray();
    long[] valid = rng.longs(2048L * cfg.patchSize(), 0, o.vocabSize()).toArray();
    return AutoencoderTrainer.run(new AutoencoderTrainer.Request(cfg, trainConfig(preset.train(), o),
        PatchSampler.uniform(train), valid, dir.resolve("ae"), null, false), listener, control);
  }

  /** A tiny autoencoder trained for a few steps first (its quality does not matter for memory), then the LM. */
  private static TrainingLoop.Result trainLm(Options o, Path dir, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    AePresets.Preset aePreset = AePresets.get("tiny");
    AutoencoderConfig aeCfg = aePreset.modelConfig(o.vocabSize());
    SplittableRandom rng = new SplittableRandom(o.seed());
    int[] train = rng.ints(1 << 20, 0, o.vocabSize()).toArray();
    int[] valid = rng.ints(1 << 14, 0, o.vocabSize()).toArray();
    Path ae = dir.resolve("ae");
    AutoencoderTrainer.run(new AutoencoderTrainer.Request(aeCfg, aePreset.train().with(Map.of("steps", 20, "eval_every", 1000)),
        PatchSampler.uniform(train), new long[0], ae, null, false), p -> {}, TrainControl.NONE);
    LmPresets.Preset preset = LmPresets.get(o.preset());
    CalmConfig cfg = preset.calmConfig(o.vocabSize(), aeCfg.patchSize(), aeCfg.latentSize(), HeadType.ENERGY);
    return CalmTrainer.run(new CalmTrainer.Request(cfg, InputMode.DISCRETE,
        trainConfig(preset.train(), o), preset.lm(), ae,
        TokenIds.of(train), TokenIds.of(valid), dir.resolve("lm"), null, false), listener, control);
  }

}
