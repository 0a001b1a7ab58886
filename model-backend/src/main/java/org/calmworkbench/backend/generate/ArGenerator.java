package org.calmworkbench.backend.generate;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.KvCache;
import org.calmworkbench.backend.sampling.LogitSampler;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.ArCheckpoint;

/**
 * Text generation with the autoregressive baseline, one token per step.
 *
 * <ol>
 *   <li><b>Prompt.</b> Tokenize. An empty prompt becomes the end-of-text token (a new document
 *       starts after it, as in the training corpus); a tokenizer without one needs a prompt.
 *   <li><b>Context.</b> Run the prompt through the Transformer once, filling the KV cache; the
 *       last position's logits score the first new token.
 *   <li><b>Step.</b> Greedy: the argmax (lowest id on ties). Otherwise a draw from {@code
 *       softmax(logits / T)}: unlike CALM, this model has likelihoods, so temperature is applied
 *       exactly, with no black-box sampler.
 *   <li><b>Feed back.</b> Report the token, feed it in as one more position, repeat until {@code
 *       maxTokens} tokens or the end-of-text token (which ends the text and is not part of it).
 * </ol>
 *
 * All randomness comes from one {@link SplittableRandom} seeded by {@link Options#seed()}: the same
 * model, options and seed give the same tokens.
 */
public final class ArGenerator {
  private ArGenerator() {}

  /**
   * What to generate and how.
   *
   * @param prompt text to continue (may be empty)
   * @param maxTokens tokens to generate at most; >= 1
   * @param temperature T in (0, 1]; checked even when greedy, so a typo never passes silently
   * @param greedy take the most likely token each step (temperature not used)
   * @param seed seed of the sampling RNG
   */
  public record Options(String prompt, int maxTokens, double temperature, boolean greedy, long seed) {
    public static final int DEFAULT_MAX_TOKENS = 64;

    public Options {
      prompt = prompt == null ? "" : prompt;
    }

    /** Defaults: 64 tokens, T = 1, sampling, seed 0. */
    public static Options of(String prompt) {
      return new Options(prompt, DEFAULT_MAX_TOKENS, 1.0, false, 0);
    }

    public Options withMaxTokens(int n) {
      return new Options(prompt, n, temperature, greedy, seed);
    }

    public Options withTemperature(double t) {
      return new Options(prompt, maxTokens, t, greedy, seed);
    }

    public Options withGreedy(boolean g) {
      return new Options(prompt, maxTokens, temperature, g, seed);
    }

    public Options withSeed(long s) {
      return new Options(prompt, maxTokens, temperature, greedy, s);
    }

    /** @throws CalmException naming the first value out of range */
    public void validate() {
      LogitSampler.checkTemperature(temperature);
      if (maxTokens < 1) {
        throw new CalmException("max tokens must be at least 1, got " + maxTokens);
      }
    }
  }

  /**
   * One generated token, reported as soon as it is chosen (on the generating thread; a UI hands it
   * over to its own thread).
   *
   * @param step 0-based step index
   * @param token the chosen id
   * @param probability the model's probability of that token at temperature 1 (its likelihood)
   * @param text the text this token adds; the texts of all events concatenate to {@link
   *     Result#text()} (a character split across tokens by byte-level BPE is held back until it is
   *     complete)
   * @param endOfText the token is the end-of-text token; generation stops after it
   */
  public record TokenEvent(int step, int token, double probability, String text, boolean endOfText) {}

  /**
   * What a run produced.
   *
   * @param text the continuation (without the prompt)
   * @param tokens the continuation's ids (an end-of-text token excluded)
   * @param steps tokens chosen, the end-of-text token included
   * @param promptTokens tokens the model read before the first step (the end-of-text token for an
   *     empty prompt)
   * @param elapsedSeconds wall time, prompt pass included
   * @param tokensPerSecond continuation tokens per second of wall time
   * @param stopReason "max_tokens", "end_of_text" or "stopped"
   */
  public record Result(String prompt, String text, int[] tokens, int steps, int promptTokens, double elapsedSeconds,
      double tokensPerSecond, String stopReason) {
    public Result {
      tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
      return tokens.clone();
    }
  }

  /** Loads {@code checkpoint}, generates, and closes it; options are checked before loading. */
  public static Result run(Path checkpoint, Options options, Consumer<TokenEvent> listener) {
    options.validate();
    try (ArCheckpoint ck = ArCheckpoint.load(checkpoint)) {
      return run(ck, options, listener, () -> false);
    }
  }

  /**
   * Generates with an open checkpoint; a prompt longer than the trained context is refused.
   *
   * @param stop polled after each token; when true, generation ends there
   */
  public static Result run(ArCheckpoint ck, Options o, Consumer<TokenEvent> listener, BooleanSupplier stop) {
    return runSamples(ck, o, 1, (row, e) -> listener.accept(e), stop).get(0);
  }

  /**
   * {@link #runSamples(ArModel, Tokenizer, Options, int, NDManager, SampleListener, BooleanSupplier,
   * boolean) S continuations} with an open checkpoint; a prompt longer than the trained context is
   * refused.
   */
  public static List<Result> runSamples(ArCheckpoint ck, Options o, int samples, SampleListener listener,
      BooleanSupplier stop) {
    o.validate();
    Tokenizer tokenizer = ck.tokenizer();
    int promptLength = tokenizer.encode(o.prompt()).length;
    if (promptLength > ck.maxContextTokens()) {
      throw new CalmException("the prompt is " + promptLength + " tokens long, but the model in " + ck.dir()
          + " was trained on contexts of " + ck.maxContextTokens() + " tokens; shorten the prompt");
    }
    return runSamples(ck.model(), tokenizer, o, samples, ck.manager(), listener, stop, true);
  }

  /**
   * Generates with a model and tokenizer; every array lives on sub-managers of {@code manager},
   * closed before returning.
   */
  public static Result run(ArModel model, Tokenizer tokenizer, Options o, NDManager manager,
      Consumer<TokenEvent> listener, BooleanSupplier stop) {
    return run(model, tokenizer, o, manager, listener, stop, true);
  }

  /**
   * As above; with {@code stopAtEndOfText} false an end-of-text token is kept like any other, so a
   * benchmark always produces {@code maxTokens} tokens.
   */
  public static Result run(ArModel model, Tokenizer tokenizer, Options o, NDManager manager,
      Consumer<TokenEvent> listener, BooleanSupplier stop, boolean stopAtEndOfText) {
    return runSamples(model, tokenizer, o, 1, manager, (row, e) -> listener.accept(e), stop, stopAtEndOfText).get(0);
  }

  /** Receives each sample's tokens: {@code sample} is the row, 0 to S - 1. */
  @FunctionalInterface
  public interface SampleListener {
    void onToken(int sample, TokenEvent event);
  }

  /**
   * S continuations of the same prompt as one batch [S, 1] per step; sample s draws from {@code
   * new SplittableRandom(seed + s)}, so it is the text a single run with seed {@code seed + s} gives
   * (the same rule, and the same float32 caveat, as {@link CalmGenerator#runSamples}). A sample that
   * reaches end-of-text stops growing while the others go on; each result's elapsed time is the
   * whole run's.
   */
  public static List<Result> runSamples(ArModel model, Tokenizer tokenizer, Options o, int samples, NDManager manager,
      SampleListener listener, BooleanSupplier stop, boolean stopAtEndOfText) {
    o.validate();
    if (samples < 1) {
      throw new CalmException("samples must be at least 1, got " + samples);
    }
    int eos = tokenizer.eosId();
    int[] prompt = tokenizer.encode(o.prompt());
    if (prompt.length == 0) {
      if (eos < 0) {
        throw new CalmException("the prompt is empty and the tokenizer has no end-of-text token to start from;"
            + " give a prompt");
      }
      prompt = new int[] {eos};
    }
    int v = model.config().vocabSize();
    for (int id : prompt) {
      if (id < 0 || id >= v) {
        throw new CalmException("the prompt has token id " + id + ", outside the model's vocabulary of " + v
            + "; use the checkpoint's own tokenizer");
      }
    }
    SplittableRandom[] rngs = new SplittableRandom[samples];
    CalmGenerator.TextStream[] streams = new CalmGenerator.TextStream[samples];
    List<List<Integer>> kept = new ArrayList<>();
    int[] steps = new int[samples];
    String[] stopReasons = new String[samples];
    boolean[] done = new boolean[samples];
    for (int r = 0; r < samples; r++) {
      rngs[r] = new SplittableRandom(o.seed() + r);
      streams[r] = new CalmGenerator.TextStream(tokenizer);
      kept.add(new ArrayList<>());
      stopReasons[r] = "max_tokens";
    }
    long start = System.nanoTime();
    try (NDManager gm = manager.newSubManager(); KvCache cache = model.newCache(gm, prompt.length + o.maxTokens())) {
      float[] logits; // [S * V]: scores of each sample's next token
      try (NDManager sm = gm.newSubManager()) {
        long[] prompts = new long[samples * prompt.length];
        for (int r = 0; r < samples; r++) {
          System.arraycopy(toLongs(prompt), 0, prompts, r * prompt.length, prompt.length);
        }
        logits = model.step(sm.create(prompts, new Shape(samples, prompt.length)), cache).get(":, -1").toFloatArray();
      }
      for (int step = 0; step < o.maxTokens(); step++) {
        long[] fed = new long[samples]; // [S]: the tokens fed back
        boolean allDone = true;
        boolean last = step + 1 == o.maxTokens();
        for (int r = 0; r < samples; r++) {
          int from = r * v;
          double[] p = LogitSampler.probabilities(logits, from, v, 1.0); // the model's own distribution
          int token = o.greedy() ? LogitSampler.argmax(logits, from, v)
              : LogitSampler.sample(o.temperature() == 1.0 ? p : LogitSampler.probabilities(logits, from, v,
                  o.temperature()), rngs[r]);
          fed[r] = token;
          if (done[r]) {
            continue; // finished at end-of-text: its row runs on, unused
          }
          steps[r]++;
          boolean end = stopAtEndOfText && token == eos;
          if (!end) {
            kept.get(r).add(token);
          }
          listener.onToken(r, new TokenEvent(step, token, p[token], streams[r].next(kept.get(r), end || last), end));
          if (end) {
            done[r] = true;
            stopReasons[r] = "end_of_text";
          }
          allDone &= done[r];
        }
        // Polled after the listener saw the tokens, so a stop requested from it ends right here.
        boolean stopping = !allDone && !last && stop.getAsBoolean();
        if (stopping) {
          for (int r = 0; r < samples; r++) {
            if (!done[r]) {
              streams[r].next(kept.get(r), true);
              stopReasons[r] = "stopped";
            }
          }
        }
        if (allDone || last || stopping) {
          break;
        }
        try (NDManager sm = gm.newSubManager()) {
          logits = model.step(sm.create(fed, new Shape(samples, 1)), cache).get(":, -1").toFloatArray();
        }
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Result> results = new ArrayList<>(samples);
    for (int r = 0; r < samples; r++) {
      int[] tokens = kept.get(r).stream().mapToInt(Integer::intValue).toArray();
      results.add(new Result(o.prompt(), streams[r].emitted(), tokens, steps[r], prompt.length, elapsed,
          elapsed > 0 ? tokens.length / elapsed : 0, stopReasons[r]));
    }
    return results;
  }

  private static long[] toLongs(int[] ids) {
    long[] out = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = ids[i];
    }
    return out;
  }
}
