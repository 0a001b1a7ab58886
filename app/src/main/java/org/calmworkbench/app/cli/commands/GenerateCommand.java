package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.eval.KnownWords;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.sampling.TemperatureSampler;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.Checkpoints;
import picocli.CommandLine.Option;

/**
 * {@code calm generate}: text from a CALM checkpoint (one K-token chunk per step, likelihood-free
 * temperature) or from an AR baseline checkpoint (one token per step, softmax temperature).
 */
public final class GenerateCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "CALM or AR checkpoint folder")
  Path checkpoint;
  @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "text to continue (may be empty)")
  String prompt;
  @Option(names = "--max-tokens", paramLabel = "N", description = "tokens to generate (CALM rounds up to whole chunks)")
  Integer maxTokens = CalmGenerator.Options.DEFAULT_MAX_TOKENS;
  @Option(names = "--temperature", paramLabel = "T", description = "temperature in (0, 1]")
  Double temperature = 1.0;
  @Option(names = "--sampler", paramLabel = "exact|batch|greedy", description = "how the temperature is applied")
  String sampler = "exact";
  @Option(names = "--candidates", paramLabel = "N", description = "N for batch and greedy")
  Integer candidates = CalmGenerator.Options.DEFAULT_CANDIDATES;
  @Option(names = "--seed", paramLabel = "N", description = "random seed")
  Long seed = 0L;
  @Option(names = "--max-sampler-calls", paramLabel = "N", description = "exact sampler: calls one chunk may spend"
      + " before it falls back to the batch estimate over the draws made")
  Integer maxSamplerCalls = TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS;
  @Option(names = "--samples", paramLabel = "S", description = "S continuations at once, one batched forward pass per"
      + " step; sample s uses seed + s (the text a single run with that seed gives)")
  Integer samples = 1;
  @Option(names = "--show-chunks", description = "separate the generated steps with '|'")
  boolean showChunks;
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "training corpus for known_word_fraction (default: the run's own)")
  List<Path> corpus;
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "the CALM model's frozen autoencoder (default: found beside it)")
  Path autoencoder;

  @Override
  public String name() {
    return "generate";
  }

  @Override
  public String summary() {
    return "continue a prompt with a CALM (or AR baseline) checkpoint, streaming each step as it is produced";
  }

  @Override
  public String description() {
    return summary() + """


        CALM produces one chunk of K tokens per step: the energy head draws latent vectors, the
        autoencoder decodes them, and the temperature is applied without likelihoods:
          exact   Algorithm 1 of the paper (rejection with a Bernoulli factory); falls back, and says
                  so, to the batch estimate when a chunk needs more than the sampler-call budget
          batch   Algorithm 2: N candidates, chosen by how often they repeat (weights C(count, 1/T))
          greedy  the most frequent of N candidates
        Each chunk is printed as soon as it exists; with --show-chunks they are separated by '|'.
        For an AR checkpoint (model_type calm_ar) the temperature divides the logits; batch behaves as
        exact there (the AR model has probabilities) and greedy takes the argmax.
        JSON: text, steps, tokens, tokens_per_second, sampler_calls (and sampler_calls_per_step,
        sampler_calls_mean, sampler_calls_p95, computed_draws), max_sampler_calls (the exact sampler's
        cap), fallbacks (steps that reached it and took the batch estimate over the draws made), and
        known_word_fraction: the share of the generated words that occur in the training corpus (the
        one recorded in the run's split.json, or --corpus); null when no corpus is known.
        With --samples S (S > 1) the S continuations are generated together, one batched forward pass
        per step (CALM: one Transformer pass, then one energy-head pass and one decoder pass for all
        samples' candidates), and printed when done; sample s uses seed + s, so it is the text that a single run
        with that seed gives. JSON: samples (text, tokens, steps, stop_reason; CALM also its sampler
        calls), tokens and tokens_per_second over all samples.""";
  }


  @Override
  public int run(CliContext ctx) {
    ModelType type = Checkpoints.modelType(checkpoint);
    CalmGenerator.Method method = CalmGenerator.Method.parse(sampler);
    String separator = showChunks ? "|" : "";
    List<Path> knownCorpus = corpus == null ? List.of() : corpus;
    int sampleCount = Ranges.check("samples", samples, 1, 4096);
    int cap = Ranges.check("max-sampler-calls", maxSamplerCalls, 1, Integer.MAX_VALUE);
    // Checked here for both model types: the AR path ignores --candidates, which must not make 0 valid
    Ranges.check("max-tokens", maxTokens, 1, Integer.MAX_VALUE);
    Ranges.check("candidates", candidates, 1, Integer.MAX_VALUE);
    if (sampleCount > 1) {
      return severalSamples(checkpoint, type, autoencoder,
          new CalmGenerator.Options(prompt, maxTokens, temperature, method, candidates, seed, cap), sampleCount, ctx);
    }
    if (type.isCalm()) {
      return calm(checkpoint, autoencoder,
          new CalmGenerator.Options(prompt, maxTokens, temperature, method, candidates, seed, cap), separator,
          knownCorpus, ctx);
    }
    if (type == ModelType.AR) {
      return ar(checkpoint, ArGenerator.Options.of(prompt).withMaxTokens(maxTokens).withTemperature(temperature)
          .withGreedy(method == CalmGenerator.Method.GREEDY).withSeed(seed), separator, knownCorpus, ctx);
    }
    throw new CalmException(checkpoint.resolve("config.json") + " has model_type \"" + type.key() + "\"; generate needs a"
        + " CALM or \"" + ModelType.AR.key() + "\" checkpoint"
        + (type == ModelType.AUTOENCODER ? " (an autoencoder only reconstructs: use 'calm ae decode')" : ""));
  }

  /**
   * {@code --samples S}: S continuations side by side, generated as one batch per step (CALM or AR);
   * printed when all are done, each under its seed.
   */
  private static int severalSamples(Path checkpoint, ModelType type, Path autoencoder, CalmGenerator.Options o,
      int samples, CliContext ctx) {
    o.validate();
    List<String> texts = new java.util.ArrayList<>();
    List<com.google.gson.JsonObject> rows = new java.util.ArrayList<>();
    long tokens = 0;
    double elapsed;
    if (type.isCalm()) {
      try (CalmCheckpoint ck = CalmCheckpoint.load(checkpoint, autoencoder, true)) {
        List<CalmGenerator.Result> results = CalmGenerator.runSamples(ck, o, samples, (row, e) -> {},
            () -> ctx.cancellation().isCancelled(), true);
        for (CalmGenerator.Result r : results) {
          texts.add(r.text());
          tokens += r.tokens();
          com.google.gson.JsonObject row = sampleJson(r.text(), r.tokens(), r.steps(), r.stopReason());
          row.addProperty("sampler_calls", r.samplerCalls());
          row.addProperty("sampler_calls_mean", r.meanSamplerCalls());
          row.addProperty("sampler_calls_p95", r.p95SamplerCalls());
          row.addProperty("fallbacks", r.fallbacks());
          rows.add(row);
        }
        elapsed = results.get(0).elapsedSeconds();
        ctx.put("patch_size", ck.patchSize());
        ctx.put("max_sampler_calls", o.maxSamplerCalls());
      }
    } else if (type == ModelType.AR) {
      try (ArCheckpoint ck = ArCheckpoint.load(checkpoint)) {
        ArGenerator.Options ao = ArGenerator.Options.of(o.prompt()).withMaxTokens(o.maxTokens())
            .withTemperature(o.temperature()).withGreedy(o.method() == CalmGenerator.Method.GREEDY).withSeed(o.seed());
        List<ArGenerator.Result> results = ArGenerator.runSamples(ck, ao, samples, (row, e) -> {},
            () -> ctx.cancellation().isCancelled());
        for (ArGenerator.Result r : results) {
          texts.add(r.text());
          tokens += r.tokens().length;
          rows.add(sampleJson(r.text(), r.tokens().length, r.steps(), r.stopReason()));
        }
        elapsed = results.get(0).elapsedSeconds();
      }
    } else {
      throw new CalmException(checkpoint.resolve("config.json") + " has model_type \"" + type.key()
          + "\"; generate needs a CALM or \"" + ModelType.AR.key() + "\" checkpoint");
    }
    for (int s = 0; s < samples; s++) {
      ctx.out().printf(Locale.ROOT, "--- sample %d (seed %d) ---%n%s%s%n", s, o.seed() + s, o.prompt(), texts.get(s));
    }
    double rate = elapsed > 0 ? tokens / elapsed : 0;
    ctx.out().printf(Locale.ROOT, "%d samples, %d tokens in %.2f s: %.1f tokens/s in all%n", samples, tokens, elapsed, rate);
    ctx.put("model_type", type.key());
    ctx.put("prompt", o.prompt());
    ctx.put("samples", rows);
    ctx.put("tokens", tokens);
    ctx.put("tokens_per_second", rate);
    ctx.put("temperature", o.temperature());
    ctx.put("sampler", o.method().label());
    ctx.put("seed", o.seed());
    ctx.put("elapsed_seconds", elapsed);
    return 0;
  }

  private static com.google.gson.JsonObject sampleJson(String text, int tokens, int steps, String stopReason) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("text", text);
    o.addProperty("tokens", tokens);
    o.addProperty("steps", steps);
    o.addProperty("stop_reason", stopReason);
    return o;
  }

  /** Share of {@code text}'s words found in the corpus ({@code corpus}, else the run's own); null if none is known. */
  static Double knownWordFraction(Path checkpoint, List<Path> corpus, String text) {
    try {
      java.util.Optional<KnownWords> words = corpus.isEmpty() ? KnownWords.ofRun(checkpoint)
          : java.util.Optional.of(KnownWords.of(corpus));
      return words.flatMap(w -> w.measured(text)).orElse(null);
    } catch (java.io.IOException e) {
      throw new CalmException("cannot read the corpus for known_word_fraction: " + e.getMessage(), e);
    }
  }

  private static void printKnown(CliContext ctx, Double known) {
    ctx.put("known_word_fraction", known);
    if (known != null) {
      ctx.out().printf(Locale.ROOT, "%.1f%% of the generated words occur in the training corpus%n", 100 * known);
    }
  }

  private static int calm(Path checkpoint, Path autoencoder, CalmGenerator.Options o, String separator, List<Path> corpus,
      CliContext ctx) {
    o.validate(); // before loading: a bad temperature is reported at once
    ctx.out().print(o.prompt());
    ctx.out().print(separator);
    ctx.out().flush();
    CalmGenerator.Result r;
    int k;
    ModelType type;
    try (CalmCheckpoint ck = CalmCheckpoint.load(checkpoint, autoencoder, true)) {
      k = ck.patchSize();
      type = ck.config().modelType();
      r = CalmGenerator.run(ck, o, e -> {
        ctx.out().print(e.text());
        ctx.out().print(separator);
        ctx.out().flush();
      }, () -> ctx.cancellation().isCancelled());
    }
    ctx.out().println();
    ctx.out().printf(Locale.ROOT, "%d tokens in %d steps (K=%d), %.1f tokens/s, %d sampler calls (%.1f per step, p95 %d)%s, %s%n",
        r.tokens(), r.steps(), k, r.tokensPerSecond(), r.samplerCalls(), r.meanSamplerCalls(), r.p95SamplerCalls(),
        r.fallbacks() > 0 ? ", exact sampler reached its cap of " + o.maxSamplerCalls() + " calls and fell back to batch at "
            + r.fallbacks() + " steps" : "", r.stopReason());
    ctx.put("model_type", type.key());
    ctx.put("patch_size", k);
    ctx.put("prompt", o.prompt());
    ctx.put("text", r.text());
    ctx.put("steps", r.steps());
    ctx.put("tokens", r.tokens());
    ctx.put("tokens_per_second", r.tokensPerSecond());
    ctx.put("sampler_calls", r.samplerCalls());
    ctx.put("sampler_calls_per_step", Arrays.stream(r.samplerCallsPerStep()).boxed().toList());
    ctx.put("sampler_calls_mean", r.meanSamplerCalls());
    ctx.put("sampler_calls_p95", r.p95SamplerCalls());
    ctx.put("computed_draws", r.computedDraws());
    // The exact sampler's cap and what happens at it: Algorithm 2 over the draws made so far.
    ctx.put("max_sampler_calls", o.maxSamplerCalls());
    ctx.put("fallbacks", r.fallbacks());
    ctx.put("fallback", "batch over the draws made");
    ctx.put("sampler", o.method().label());
    ctx.put("temperature", o.temperature());
    ctx.put("elapsed_seconds", r.elapsedSeconds());
    ctx.put("stop_reason", r.stopReason());
    printKnown(ctx, knownWordFraction(checkpoint, corpus, r.text()));
    return 0;
  }

  private static int ar(Path checkpoint, ArGenerator.Options o, String separator, List<Path> corpus, CliContext ctx) {
    o.validate();
    ctx.out().print(o.prompt());
    ctx.out().print(separator);
    ctx.out().flush();
    ArGenerator.Result r;
    try (ArCheckpoint ck = ArCheckpoint.load(checkpoint)) {
      r = ArGenerator.run(ck, o, e -> {
        ctx.out().print(e.text());
        ctx.out().print(separator);
        ctx.out().flush();
      }, () -> ctx.cancellation().isCancelled());
    }
    ctx.out().println();
    ctx.out().printf(Locale.ROOT, "%d tokens in %d steps (one token per step), %.1f tokens/s, %s%n",
        r.tokens().length, r.steps(), r.tokensPerSecond(), r.stopReason());
    ctx.put("model_type", ModelType.AR.key());
    ctx.put("prompt", o.prompt());
    ctx.put("text", r.text());
    ctx.put("steps", r.steps());
    ctx.put("tokens", r.tokens().length);
    ctx.put("tokens_per_second", r.tokensPerSecond());
    ctx.put("sampler_calls", r.steps()); // one categorical draw per token
    ctx.put("temperature", o.temperature());
    ctx.put("elapsed_seconds", r.elapsedSeconds());
    ctx.put("stop_reason", r.stopReason());
    printKnown(ctx, knownWordFraction(checkpoint, corpus, r.text()));
    return 0;
  }
}
