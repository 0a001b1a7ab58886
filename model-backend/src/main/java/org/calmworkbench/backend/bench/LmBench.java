package org.calmworkbench.backend.bench;

import org.calmworkbench.backend.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleConsumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.sample.GrammarCorpus;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.ArTraining;
import org.calmworkbench.backend.workflow.LmTraining;

/**
 * CALM against the AR baseline with the same backbone (same preset: hidden size, layers, heads,
 * context, tokenizer), measured side by side in one run so the ratios do not depend on how busy
 * the machine is:
 *
 * <ul>
 *   <li>training tokens/s of each (the product's own trainers on the bundled grammar corpus);
 *   <li>generation tokens/s of each with a KV cache (the product's own generators at the same
 *       temperature T: CALM with the exact or the batch sampler, which draws candidates through the
 *       head and the decoder; AR sampling its softmax at T, one token per step), alternating rounds;
 *       the headline ratio is over all rounds' tokens and time, with the median of the per-round
 *       ratios beside it;
 *   <li>the bound for that sampler ({@link SamplerBound}): weights read per step plus
 *       the head and decoder work for the candidates the sampler drew, per measured step.
 * </ul>
 *
 * At T = 1 the weights barely matter for speed, so by default the models are trained here for only
 * a few steps. Below T = 1 they do: the exact sampler's cost grows like {@code 1 / sum P^(1/T)},
 * which is small for a trained model's peaked next-chunk distribution and huge for an untrained
 * one; {@link Options#calmRun()} and {@link Options#arRun()} measure given (trained) checkpoints
 * instead. End-of-text does not stop generation here, so each round produces the same number of
 * tokens.
 */
public final class LmBench {
  private LmBench() {}

  /**
   * What to measure.
   *
   * @param preset LM preset of both models
   * @param aePreset autoencoder preset (K and the latent size come from it)
   * @param lmSets {@code key=value} overrides of the LM preset for both models (e.g. more layers)
   * @param temperature T of both generators, in (0, 1]
   * @param method CALM's sampler (exact, batch or greedy)
   * @param candidates N for the batch and greedy samplers
   * @param calmRun a CALM checkpoint to measure instead of training one (null: train); with
   *     {@code arRun}, no training happens and the presets are not used
   * @param arRun the AR baseline checkpoint to measure against {@code calmRun}
   */
  public record Options(String preset, String aePreset, List<String> lmSets, int vocabSize, int trainSteps,
      int warmupSteps, int promptTokens, int generateTokens, int rounds, double temperature,
      CalmGenerator.Method method, int candidates, Path calmRun, Path arRun) {
    public Options {
      lmSets = List.copyOf(lmSets);
      if ((calmRun == null) != (arRun == null)) {
        throw new CalmException("give both checkpoints (the CALM model and the AR baseline) or neither");
      }
    }

    public static Options defaults() {
      return new Options("laptop", "laptop", List.of(), 1024, 8, 2, 32, 96, 10, 1.0, CalmGenerator.Method.EXACT,
          CalmGenerator.Options.DEFAULT_CANDIDATES, null, null);
    }

    /** Measures the given checkpoints instead of training two. */
    public Options withRuns(Path calm, Path ar) {
      return new Options(preset, aePreset, lmSets, vocabSize, trainSteps, warmupSteps, promptTokens, generateTokens,
          rounds, temperature, method, candidates, calm, ar);
    }

    boolean trains() {
      return calmRun == null;
    }
  }

  /**
   * One model's figures. {@code generateTokensPerSecond}: all measured rounds together (their tokens
   * over their time); {@code roundTokensPerSecond}: each round's; {@code weightsPerStep}: matrix
   * weights a generation step reads (batch 1), see {@link Flops#calmWeightsPerStep}; {@code
   * samplerCallsPerStep}: mean draws handed to the sampler per step, {@code drawsPerStep}: mean
   * draws computed per step (CALM: batches may compute more than the sampler takes; AR: 1).
   * Training figures are NaN when the checkpoints were given rather than trained.
   */
  public record Side(String model, double trainTokensPerSecond, double trainFlopsPerToken, double generateTokensPerSecond,
      double[] roundTokensPerSecond, int generateSteps, int generateTokens, double inferFlopsPerToken,
      double weightsPerStep, double samplerCallsPerStep, double drawsPerStep, int fallbacks) {
    public Side {
      roundTokensPerSecond = roundTokensPerSecond.clone();
    }

    @Override
    public double[] roundTokensPerSecond() {
      return roundTokensPerSecond.clone();
    }
  }

  /**
   * @param calmBound CALM's bound in tokens/s at the measured draws per step ({@link
   *     SamplerBound#calmTokensPerSecond})
   * @param arBound the AR baseline's bound in tokens/s ({@link SamplerBound#arTokensPerSecond})
   * @param rates the engine's rates both bounds were computed from (null in tests)
   */
  public record Result(Options options, int patchSize, int vocabSize, Side calm, Side ar, double calmBound,
      double arBound, SamplerBound rates) {
    /**
     * CALM generation tokens/s over the AR baseline's, each over all its rounds (the limit is K).
     * This is the headline figure: one lucky or unlucky round moves it little.
     */
    public double generationSpeedup() {
      return calm.generateTokensPerSecond() / ar.generateTokensPerSecond();
    }

    /** Per round pair (CALM round r, then AR round r, back to back): CALM's tokens/s over AR's. */
    public double[] pairedSpeedups() {
      double[] c = calm.roundTokensPerSecond();
      double[] a = ar.roundTokensPerSecond();
      double[] r = new double[Math.min(c.length, a.length)];
      for (int i = 0; i < r.length; i++) {
        r[i] = c[i] / a[i];
      }
      return r;
    }

    /** The median of {@link #pairedSpeedups()}: a second estimate, robust to outlier rounds. */
    public double medianPairedSpeedup() {
      return median(pairedSpeedups());
    }

    /**
     * The generation speed-up if both generators were bound by reading their weights: K x (AR
     * weights per step) / (CALM weights per step). At batch size 1 this, not K, is the limit.
     */
    public double weightBoundSpeedup() {
      return patchSize * ar.weightsPerStep() / calm.weightsPerStep();
    }

    /** CALM's KV cache length at the end of a round: the prompt's chunks and the steps fed back. */
    public long calmCachePositions() {
      return (options.promptTokens() + patchSize - 1) / patchSize + calm.generateSteps() - 1;
    }

    /** The AR baseline's KV cache length at the end of a round: prompt and tokens fed back. */
    public long arCachePositions() {
      return options.promptTokens() + ar.generateSteps() - 1L;
    }

    /** The speed-up the two bounds allow: CALM's bound over the AR baseline's. */
    public double boundSpeedup() {
      return calmBound / arBound;
    }

    /** CALM's measured tokens/s as a fraction of its bound. */
    public double calmFractionOfBound() {
      return calm.generateTokensPerSecond() / calmBound;
    }

    /** The AR baseline's measured tokens/s as a fraction of its bound. */
    public double arFractionOfBound() {
      return ar.generateTokensPerSecond() / arBound;
    }

    public double trainingSpeedup() {
      return calm.trainTokensPerSecond() / ar.trainTokensPerSecond();
    }
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  public static Result run(Options o, DoubleConsumer progress) throws IOException, InterruptedException {
    if (!o.trains()) {
      try (CalmCheckpoint calm = CalmCheckpoint.load(o.calmRun()); ArCheckpoint ar = ArCheckpoint.load(o.arRun())) {
        return measure(o, calm, ar, null, null, f -> progress.accept(f));
      }
    }
    Path dir = Files.createTempDirectory("calm-bench-lm");
    try {
      Files.writeString(dir.resolve("project.json"), "{}"); // keeps the token cache in the temp folder
      Path corpus = dir.resolve("corpus.jsonl");
      GrammarCorpus.writeJsonl(corpus, 7, 6000);
      progress.accept(0.05);
      AeTraining.run(new AeTraining.Options(List.of(corpus), dir.resolve("ae"), null, o.vocabSize(), o.aePreset(),
          List.of(), 2, null, 1L, false), p -> {}, TrainControl.NONE);
      progress.accept(0.15);
      int total = o.warmupSteps() + o.trainSteps();
      List<String> sets = new ArrayList<>(List.of("eval_positions=0", "eval_every=1000000", "checkpoint_every=1000000"));
      sets.addAll(o.lmSets());
      Marks calmMarks = new Marks();
      calmMarks.result = LmTraining.run(new LmTraining.Options(dir.resolve("ae"), List.of(corpus), dir.resolve("lm"), "energy",
          InputMode.DISCRETE, o.preset(), sets, total, null, 1L, false), calmMarks, TrainControl.NONE);
      progress.accept(0.45);
      Marks arMarks = new Marks();
      arMarks.result = ArTraining.run(new ArTraining.Options(dir.resolve("ae"), List.of(corpus), dir.resolve("ar"), o.preset(),
          arSets(sets), total, null, 1L, false), arMarks, TrainControl.NONE);
      progress.accept(0.6);
      try (CalmCheckpoint calm = CalmCheckpoint.load(dir.resolve("lm")); ArCheckpoint ar = ArCheckpoint.load(dir.resolve("ar"))) {
        return measure(o, calm, ar, calmMarks, arMarks, f -> progress.accept(0.6 + 0.4 * f));
      }
    } finally {
      AtomicFiles.deleteTree(dir);
    }
  }

  /** Alternating generation rounds of both models; {@code calmMarks}, {@code arMarks}: training marks, or null. */
  private static Result measure(Options o, CalmCheckpoint calm, ArCheckpoint ar, Marks calmMarks, Marks arMarks,
      DoubleConsumer progress) {
    String prompt = promptOf(calm, o.promptTokens());
    CalmGenerator.Options co = CalmGenerator.Options.of(prompt).withMaxTokens(o.generateTokens())
        .withTemperature(o.temperature()).withMethod(o.method(), o.candidates()).withSeed(3);
    ArGenerator.Options ao = ArGenerator.Options.of(prompt).withMaxTokens(o.generateTokens())
        .withTemperature(o.temperature()).withGreedy(o.method() == CalmGenerator.Method.GREEDY).withSeed(3);
    // One unmeasured round each (JIT, allocator), then alternate so both see the same machine.
    CalmGenerator.run(calm, co.withMaxTokens(8), CalmGenerator.Listener.NONE, () -> false, false);
    ArGenerator.run(ar.model(), ar.tokenizer(), ao.withMaxTokens(8), ar.manager(), e -> {}, () -> false, false);
    double[] calmRate = new double[o.rounds()];
    double[] arRate = new double[o.rounds()];
    double calmSeconds = 0;
    double arSeconds = 0;
    long calmTokens = 0;
    long arTokens = 0;
    long calmSteps = 0;
    long arSteps = 0;
    long calls = 0;
    long draws = 0;
    int fallbacks = 0;
    for (int r = 0; r < o.rounds(); r++) {
      CalmGenerator.Result c = CalmGenerator.run(calm, co.withSeed(r), CalmGenerator.Listener.NONE, () -> false, false);
      ArGenerator.Result a = ArGenerator.run(ar.model(), ar.tokenizer(), ao.withSeed(r), ar.manager(), e -> {},
          () -> false, false);
      calmRate[r] = c.tokensPerSecond();
      arRate[r] = a.tokensPerSecond();
      calmSeconds += c.elapsedSeconds();
      arSeconds += a.elapsedSeconds();
      calmTokens += c.tokens();
      arTokens += a.tokens().length;
      calmSteps += c.steps();
      arSteps += a.steps();
      calls += c.samplerCalls();
      draws += c.computedDraws();
      fallbacks += c.fallbacks();
      progress.accept((r + 1.0) / o.rounds());
    }
    int k = calm.patchSize();
    double drawsPerStep = (double) draws / calmSteps;
    Side calmSide = new Side("calm", calmMarks == null ? Double.NaN : calmMarks.tokensPerSecond(o.warmupSteps()),
        Flops.calmTrainingPerToken(calm.config(), calm.autoencoderCheckpoint().config(), calm.inputMode()),
        calmTokens / calmSeconds, calmRate, (int) (calmSteps / o.rounds()), (int) (calmTokens / o.rounds()),
        Flops.calmInferencePerToken(calm.config(), calm.autoencoderCheckpoint().config(), calm.inputMode()),
        Flops.calmWeightsPerStep(calm.config(), calm.autoencoderCheckpoint().config()),
        (double) calls / calmSteps, drawsPerStep, fallbacks);
    Side arSide = new Side("ar", arMarks == null ? Double.NaN : arMarks.tokensPerSecond(o.warmupSteps()),
        Flops.arTrainingPerToken(ar.config().backbone()), arTokens / arSeconds, arRate, (int) (arSteps / o.rounds()),
        (int) (arTokens / o.rounds()), Flops.arInferencePerToken(ar.config().backbone()),
        Flops.arWeightsPerStep(ar.config().backbone()), 1, 1, 0);
    SamplerBound bound = SamplerBound.measure(21); // the engine's rates now, on the same machine as the rounds
    return new Result(o, k, calm.config().vocabSize(), calmSide, arSide,
        bound.calmTokensPerSecond(calm.config(), calm.autoencoderCheckpoint().config(), drawsPerStep),
        bound.arTokensPerSecond(ar.config().backbone()), bound);
  }

  /**
   * The settings the AR baseline takes: CALM-only keys (the energy head's, e.g. target_samples) are
   * left out; CALM's training has already rejected keys neither model knows.
   */
  static List<String> arSets(List<String> sets) {
    Set<String> valid = Settings.index(ArTraining.settableKeys()).keySet();
    return sets.stream().filter(s -> valid.contains(s.substring(0, Math.max(0, s.indexOf('='))).trim())).toList();
  }

  /** A prompt of about {@code tokens} tokens from the grammar. */
  private static String promptOf(CalmCheckpoint ck, int tokens) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    String[] words = {"the", "little", "robot", "found", "a", "red", "ball", "near", "the", "old", "tree", "."};
    while (ck.tokenizer().encode(sb.toString()).length < tokens) {
      sb.append(i == 0 ? "" : " ").append(words[i % words.length]);
      i++;
    }
    return sb.toString();
  }

  /** Training progress marks: (step, tokens/s since the warm-up ended). */
  private static final class Marks implements AeTraining.Listener {
    private final List<double[]> marks = new ArrayList<>(); // step, seconds
    private final long t0 = System.nanoTime();
    TrainingLoop.Result result;

    @Override
    public void onProgress(TrainingLoop.Progress p) {
      marks.add(new double[] {p.step(), (System.nanoTime() - t0) / 1e9});
    }

    double tokensPerSecond(int warmup) {
      double tokensPerStep = (double) result.tokensSeen() / result.steps();
      double[] first = marks.stream().filter(m -> m[0] >= warmup).findFirst().orElse(marks.get(0));
      double[] last = marks.get(marks.size() - 1);
      if (last[0] <= first[0]) {
        return Double.NaN;
      }
      return (last[0] - first[0]) * tokensPerStep / (last[1] - first[1]);
    }
  }

}
