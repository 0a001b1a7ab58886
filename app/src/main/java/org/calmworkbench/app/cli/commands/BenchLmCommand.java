package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.ProgressLine;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.bench.LmBench;
import org.calmworkbench.backend.generate.CalmGenerator;
import picocli.CommandLine.Option;

/** {@code calm bench lm}: CALM versus the AR baseline, training and generation speed, side by side. */
public final class BenchLmCommand implements Command {
  private static final LmBench.Options DEFAULTS = LmBench.Options.defaults();

  @Option(names = "--preset", paramLabel = "NAME", description = "LM preset (tiny, laptop, paper-m) for both models")
  String preset = "laptop";
  @Option(names = "--ae-preset", paramLabel = "NAME", description = "autoencoder preset (tiny, laptop, paper); K and the latent size come from it")
  String aePreset = DEFAULTS.aePreset();
  @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "override an LM preset setting for both models, e.g. num_hidden_layers=16 (repeatable)")
  List<String> set;
  @Option(names = "--vocab-size", paramLabel = "N", description = "tokenizer vocabulary size")
  Integer vocabSize = DEFAULTS.vocabSize();
  @Option(names = "--train-steps", paramLabel = "N", description = "measured training steps (after 2 warm-up steps)")
  Integer trainSteps = DEFAULTS.trainSteps();
  @Option(names = "--prompt-tokens", paramLabel = "N", description = "prompt length")
  Integer promptTokens = DEFAULTS.promptTokens();
  @Option(names = "--tokens", paramLabel = "N", description = "tokens generated per round")
  Integer tokens = DEFAULTS.generateTokens();
  @Option(names = "--rounds", paramLabel = "N", description = "alternating generation rounds per model")
  Integer rounds = DEFAULTS.rounds();
  @Option(names = "--temperature", paramLabel = "T", description = "temperature of both generators, in (0, 1]")
  Double temperature = DEFAULTS.temperature();
  @Option(names = "--sampler", paramLabel = "exact|batch|greedy", description = "CALM's sampler")
  String sampler = DEFAULTS.method().label();
  @Option(names = "--candidates", paramLabel = "N", description = "N for the batch and greedy samplers")
  Integer candidates = DEFAULTS.candidates();
  @Option(names = "--calm-run", paramLabel = "DIR", description = "measure this CALM checkpoint instead of training one (needs --ar-run)")
  Path calmRun;
  @Option(names = "--ar-run", paramLabel = "DIR", description = "the AR baseline checkpoint to measure against --calm-run")
  Path arRun;

  @Override
  public String name() {
    return "bench lm";
  }

  @Override
  public String summary() {
    return "CALM (K=4) versus the AR baseline with the same backbone: training and generation tokens/s in one run";
  }

  @Override
  public String description() {
    return summary() + """


        Both models use the same LM preset (hidden size, layers, heads, context) and tokenizer, and the
        product's own trainers and generators with a KV cache. Generation at the same temperature T for
        both: CALM with --sampler (exact: Algorithm 1, as many candidates as it needs; batch: N
        candidates), AR sampling its softmax at T; the rounds alternate, so a busy machine slows both
        alike. The speed-up is each model's tokens over its time in all rounds; the median of the
        per-round ratios is printed beside it.

        The bound of each model is the tokens/s it would reach if a step cost only the time to read
        its weights at batch 1 plus, for CALM, the head's and the decoder's multiply-adds for every
        further candidate drawn at the batched matmul rate; both rates are measured on this engine in
        the same run, and each model's measured fraction of its bound is printed. Below T = 1 the exact
        sampler's cost depends on how peaked the trained model's next-chunk distribution is: measure
        trained checkpoints with --calm-run and --ar-run (e.g. the bundled sample runs) instead of
        the few-step models trained here. FLOPs per token follow the documented formula
        (docs/BENCHMARKS.md).""";
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    ctx.reportDevice();
    LmBench.Options o = new LmBench.Options(preset, aePreset,
        set == null ? List.of() : set,
        Ranges.check("vocab-size", vocabSize, 16, 1 << 20),
        Ranges.check("train-steps", trainSteps, 2, 100_000), 2, Ranges.check("prompt-tokens", promptTokens, 1, 100_000),
        Ranges.check("tokens", tokens, 1, 100_000), Ranges.check("rounds", rounds, 1, 1000), temperature,
        CalmGenerator.Method.parse(sampler), Ranges.check("candidates", candidates, 1, 1 << 16), calmRun, arRun);
    CalmGenerator.Options.of("").withTemperature(o.temperature()).validate(); // a bad T is reported before training
    ProgressLine line = ctx.progress("bench lm", 1000);
    LmBench.Result r = LmBench.run(o, f -> line.update(Math.round(f * 1000), ""));
    line.finish(1000, "");
    if (o.calmRun() == null) {
      ctx.out().printf(Locale.ROOT, "preset %s%s, autoencoder %s, vocab %d, CALM K=%d vs AR, same backbone, %d-token prompt, %d tokens per round%n",
          o.preset(), o.lmSets().isEmpty() ? "" : " " + String.join(" ", o.lmSets()), o.aePreset(), r.vocabSize(),
          r.patchSize(), o.promptTokens(), o.generateTokens());
    } else {
      ctx.out().printf(Locale.ROOT, "CALM %s (K=%d) vs AR %s, vocab %d, %d-token prompt, %d tokens per round%n",
          o.calmRun(), r.patchSize(), o.arRun(), r.vocabSize(), o.promptTokens(), o.generateTokens());
    }
    ctx.out().printf(Locale.ROOT, "T = %s, CALM sampler %s%s%n", o.temperature(), o.method().label(),
        o.method() == CalmGenerator.Method.EXACT ? "" : " (N = " + o.candidates() + ")");
    ctx.out().println("                         CALM          AR     ratio");
    ctx.out().printf(Locale.ROOT, "generation tokens/s  %9.1f   %9.1f   %6.2fx  (limit K = %d)%n",
        r.calm().generateTokensPerSecond(), r.ar().generateTokensPerSecond(), r.generationSpeedup(), r.patchSize());
    ctx.out().printf(Locale.ROOT, "  per round (median)                       %6.2fx  (%d rounds, each ratio from a CALM round and the AR round after it)%n",
        r.medianPairedSpeedup(), o.rounds());
    ctx.out().printf(Locale.ROOT, "generation steps     %9d   %9d%n", r.calm().generateSteps(), r.ar().generateSteps());
    ctx.out().printf(Locale.ROOT, "KV cache positions   %9d   %9d   %6.2fx  (at the end of a round: prompt and generated steps)%n",
        r.calmCachePositions(), r.arCachePositions(), (double) r.arCachePositions() / r.calmCachePositions());
    ctx.out().printf(Locale.ROOT, "weights read / step  %9.3g   %9.3g   %6.2fx  (weight-bound limit: K x AR / CALM)%n",
        r.calm().weightsPerStep(), r.ar().weightsPerStep(), r.weightBoundSpeedup());
    ctx.out().printf(Locale.ROOT, "draws / step         %9.1f   %9d            (sampler calls %.1f; %d fallbacks)%n",
        r.calm().drawsPerStep(), 1, r.calm().samplerCallsPerStep(), r.calm().fallbacks());
    ctx.out().printf(Locale.ROOT, "bound tokens/s       %9.1f   %9.1f   %6.2fx  (weights read at %.3g/s, batch 1; head and decoder"
        + " work of the %.1f candidates at %.3g multiply-adds/s, batched)%n", r.calmBound(), r.arBound(), r.boundSpeedup(),
        r.rates().readRate(), r.calm().drawsPerStep(), r.rates().macRate());
    ctx.out().printf(Locale.ROOT, "measured / bound     %8.0f%%   %8.0f%%%n", 100 * r.calmFractionOfBound(),
        100 * r.arFractionOfBound());
    if (o.calmRun() == null) { // given checkpoints are not trained here
      ctx.out().printf(Locale.ROOT, "training tokens/s    %9.0f   %9.0f   %6.2fx%n", r.calm().trainTokensPerSecond(),
          r.ar().trainTokensPerSecond(), r.trainingSpeedup());
      ctx.out().printf(Locale.ROOT, "train FLOPs/token    %9.3g   %9.3g%n", r.calm().trainFlopsPerToken(), r.ar().trainFlopsPerToken());
    }
    ctx.out().printf(Locale.ROOT, "infer FLOPs/token    %9.3g   %9.3g%n", r.calm().inferFlopsPerToken(), r.ar().inferFlopsPerToken());
    ctx.put("preset", o.preset());
    ctx.put("ae_preset", o.aePreset());
    ctx.put("set", String.join(" ", o.lmSets()));
    ctx.put("patch_size", r.patchSize());
    ctx.put("vocab_size", r.vocabSize());
    ctx.put("calm", json(r.calm()));
    ctx.put("ar", json(r.ar()));
    ctx.put("generation_speedup", r.generationSpeedup());
    ctx.put("median_round_speedup", r.medianPairedSpeedup());
    ctx.put("weight_bound_speedup", r.weightBoundSpeedup());
    ctx.put("training_speedup", r.trainingSpeedup());
    ctx.put("temperature", o.temperature());
    ctx.put("sampler", o.method().label());
    ctx.put("candidates", o.candidates());
    ctx.put("bound_speedup", r.boundSpeedup());
    ctx.put("calm_cache_positions", r.calmCachePositions());
    ctx.put("ar_cache_positions", r.arCachePositions());
    ctx.put("calm_bound_tokens_per_second", r.calmBound());
    ctx.put("ar_bound_tokens_per_second", r.arBound());
    ctx.put("calm_fraction_of_bound", r.calmFractionOfBound());
    ctx.put("ar_fraction_of_bound", r.arFractionOfBound());
    ctx.put("read_rate_weights_per_second", r.rates().readRate());
    ctx.put("mac_rate_per_second", r.rates().macRate());
    return 0;
  }

  private static com.google.gson.JsonObject json(LmBench.Side s) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("train_tokens_per_second", s.trainTokensPerSecond());
    o.addProperty("train_flops_per_token", s.trainFlopsPerToken());
    o.addProperty("generate_tokens_per_second", s.generateTokensPerSecond());
    com.google.gson.JsonArray rounds = new com.google.gson.JsonArray();
    for (double v : s.roundTokensPerSecond()) {
      rounds.add(v);
    }
    o.add("round_tokens_per_second", rounds);
    o.addProperty("generate_steps", s.generateSteps());
    o.addProperty("generate_tokens", s.generateTokens());
    o.addProperty("infer_flops_per_token", s.inferFlopsPerToken());
    o.addProperty("weights_per_step", s.weightsPerStep());
    o.addProperty("sampler_calls_per_step", s.samplerCallsPerStep());
    o.addProperty("draws_per_step", s.drawsPerStep());
    o.addProperty("fallbacks", s.fallbacks());
    return o;
  }
}
