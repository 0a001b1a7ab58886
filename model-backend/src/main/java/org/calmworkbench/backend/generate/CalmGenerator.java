package org.calmworkbench.backend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.FoldedEmbedProj;
import org.calmworkbench.backend.model.KvCache;
import org.calmworkbench.backend.sampling.ExactSamplerCost;
import org.calmworkbench.backend.sampling.TemperatureSample;
import org.calmworkbench.backend.sampling.TemperatureSampler;
import org.calmworkbench.backend.sampling.TokenChunk;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.CalmCheckpoint;

/**
 * Text generation with a CALM checkpoint, one chunk of K tokens per step.
 *
 * <ol>
 *   <li><b>Prompt.</b> Tokenize; pad at the <em>start</em> with the pad id 0 to a whole number of
 *       chunks, so the prompt's last real token ends the last chunk and the first generated chunk
 *       follows it directly (padding at the end would put pad tokens between the prompt and the
 *       continuation). An empty prompt becomes the end-of-text token (a new document starts after
 *       it, as in the training corpus), or one chunk of pads if the tokenizer has none.
 *   <li><b>Context.</b> Run the prompt's chunks through the Transformer once, filling the KV cache;
 *       keep the last hidden state, which predicts the next chunk.
 *   <li><b>Step.</b> The black box "noise -> energy head -> latent -> autoencoder argmax -> K tokens"
 *       ({@link ChunkSampler}) is sampled at temperature T with {@link TemperatureSampler}: exact
 *       (Algorithm 1, with its call budget and batch fallback), batch (Algorithm 2 with N
 *       candidates), or greedy (see {@link Method#GREEDY}).
 *   <li><b>Feed back.</b> Append the chunk, report it to the listener, and feed its tokens (and, for
 *       the latent and both input modes, the latent that produced it) into the Transformer as one
 *       more position. Repeat until at least {@code maxTokens} tokens (whole chunks: CALM emits K at
 *       a time) or the end-of-text token (the chunk is cut before it).
 * </ol>
 *
 * All randomness comes from one {@link SplittableRandom} seeded by {@link Options#seed()}: the same
 * checkpoint, options and seed give the same text.
 */
public final class CalmGenerator {
  private CalmGenerator() {}

  /** How each chunk is chosen from the black box. */
  public enum Method {
    /** Algorithm 1: exactly P^(1/T)/Z; random cost, falls back to batch when over budget. */
    EXACT,
    /** Algorithm 2 over N candidates: fixed cost N, biased towards T = 1 for small N. */
    BATCH,
    /**
     * The batch approximation's mode: draw N candidates and take the most frequent chunk (the first
     * drawn of those tied). This is the T -> 0 limit of Algorithm 2, whose weights C(c, 1/T)
     * concentrate on the largest count; CALM has no argmax over chunks to take instead, since no
     * probabilities exist. The temperature is not used.
     */
    GREEDY;

    public static Method parse(String s) {
      if (s != null) {
        for (Method m : values()) {
          if (m.label().equals(s.trim().toLowerCase(Locale.ROOT))) {
            return m;
          }
        }
      }
      throw new CalmException("sampler must be exact, batch or greedy; got '" + s + "'");
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * What to generate and how.
   *
   * @param prompt text to continue (may be empty)
   * @param maxTokens generate at least this many tokens, rounded up to whole chunks; >= 1
   * @param temperature T in (0, 1]
   * @param method exact, batch or greedy
   * @param candidates N for batch and greedy; >= 1
   * @param seed seed of all randomness (noise and sampler choices)
   * @param maxSamplerCalls exact method's budget per chunk before it falls back; >= 1
   */
  public record Options(String prompt, int maxTokens, double temperature, Method method, int candidates, long seed,
      int maxSamplerCalls) {
    public static final int DEFAULT_MAX_TOKENS = 64;
    public static final int DEFAULT_CANDIDATES = 64;

    public Options {
      prompt = prompt == null ? "" : prompt;
    }

    /** Defaults: 64 tokens, T = 1, exact, N = 64, seed 0, the sampler's default budget. */
    public static Options of(String prompt) {
      return new Options(prompt, DEFAULT_MAX_TOKENS, 1.0, Method.EXACT, DEFAULT_CANDIDATES, 0,
          TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS);
    }

    public Options withMaxTokens(int n) {
      return new Options(prompt, n, temperature, method, candidates, seed, maxSamplerCalls);
    }

    public Options withTemperature(double t) {
      return new Options(prompt, maxTokens, t, method, candidates, seed, maxSamplerCalls);
    }

    public Options withMethod(Method m, int n) {
      return new Options(prompt, maxTokens, temperature, m, n, seed, maxSamplerCalls);
    }

    public Options withSeed(long s) {
      return new Options(prompt, maxTokens, temperature, method, candidates, s, maxSamplerCalls);
    }

    /** @throws CalmException naming the first value out of range */
    public void validate() {
      TemperatureSampler.inverseTemperature(temperature); // "temperature must be in (0, 1], got 1.5"
      if (maxTokens < 1) {
        throw new CalmException("max tokens must be at least 1, got " + maxTokens);
      }
      if (method == null) {
        throw new CalmException("sampler must be exact, batch or greedy; got nothing");
      }
      if (candidates < 1) {
        throw new CalmException("candidates must be at least 1, got " + candidates);
      }
      if (maxSamplerCalls < 1) {
        throw new CalmException("maximum sampler calls must be at least 1, got " + maxSamplerCalls);
      }
    }
  }

  /**
   * One generated chunk, reported as soon as it exists.
   *
   * @param step 0-based step index
   * @param chunk the K token ids the sampler chose (including an end-of-text id, if any)
   * @param text the text this chunk adds; the texts of all events concatenate to {@link
   *     Result#text()} (a character split across chunks by byte-level BPE is held back until it is
   *     complete)
   * @param samplerCalls black-box draws spent on this chunk
   * @param fellBack the exact sampler ran out of budget and used the batch estimate
   * @param endOfText the chunk contains the end-of-text token; generation stops after it
   */
  public record ChunkEvent(int step, TokenChunk chunk, String text, int samplerCalls, boolean fellBack,
      boolean endOfText) {}

  /** Receives each chunk on the generating thread; a UI hands it over to its own thread. */
  @FunctionalInterface
  public interface Listener {
    void onChunk(ChunkEvent event);

    Listener NONE = e -> {};
  }

  /**
   * What a run produced.
   *
   * @param text the continuation (without the prompt)
   * @param steps chunks generated
   * @param tokens tokens in the continuation (an end-of-text token and what follows it excluded)
   * @param promptTokens tokens of the prompt before padding
   * @param paddedPromptTokens after padding to whole chunks
   * @param tokensPerSecond generated tokens per second of wall time (prompt pass included)
   * @param samplerCalls black-box draws in all
   * @param samplerCallsPerStep draws per step
   * @param fallbacks steps where the exact sampler fell back to the batch estimate
   * @param stopReason "max_tokens", "end_of_text" or "stopped"
   * @param computedDraws draws the head and decoder computed in all: the sampler calls plus those
   *     computed in a batch but never handed out (the exact sampler's batches are sized in advance)
   */
  public record Result(String prompt, String text, int steps, int tokens, int promptTokens, int paddedPromptTokens,
      double elapsedSeconds, double tokensPerSecond, long samplerCalls, int[] samplerCallsPerStep, int fallbacks,
      String stopReason, long computedDraws) {
    public Result {
      samplerCallsPerStep = samplerCallsPerStep.clone();
    }

    @Override
    public int[] samplerCallsPerStep() {
      return samplerCallsPerStep.clone();
    }

    /** Mean sampler calls per step (0 without steps). */
    public double meanSamplerCalls() {
      return steps == 0 ? 0 : (double) samplerCalls / steps;
    }

    /** The 95th percentile of the sampler calls per step (nearest rank; 0 without steps). */
    public int p95SamplerCalls() {
      if (samplerCallsPerStep.length == 0) {
        return 0;
      }
      int[] sorted = samplerCallsPerStep.clone();
      Arrays.sort(sorted);
      return sorted[(int) Math.ceil(0.95 * sorted.length) - 1];
    }
  }

  /** Loads {@code checkpoint}, generates, and closes it; options are checked before loading. */
  public static Result run(Path checkpoint, Options options, Listener listener) {
    options.validate();
    try (CalmCheckpoint ck = CalmCheckpoint.load(checkpoint)) {
      return run(ck, options, listener, () -> false);
    }
  }

  /**
   * Generates with an open checkpoint.
   *
   * @param stop polled after each chunk; when true, generation ends there
   * @throws CalmException for options out of range or a prompt longer than the trained context
   */
  public static Result run(CalmCheckpoint ck, Options o, Listener listener, BooleanSupplier stop) {
    return run(ck, o, listener, stop, true);
  }

  /**
   * As {@link #run(CalmCheckpoint, Options, Listener, BooleanSupplier)}; with {@code
   * stopAtEndOfText} false an end-of-text token is kept like any other, so a benchmark always
   * produces {@code maxTokens} tokens (an untrained model may draw it anywhere).
   */
  public static Result run(CalmCheckpoint ck, Options o, Listener listener, BooleanSupplier stop,
      boolean stopAtEndOfText) {
    return runSamples(ck, o, 1, (row, e) -> listener.onChunk(e), stop, stopAtEndOfText).get(0);
  }

  /** Receives each sample's chunks: {@code sample} is the row, 0 to S - 1. */
  @FunctionalInterface
  public interface SampleListener {
    void onChunk(int sample, ChunkEvent event);
  }

  /**
   * S continuations of the same prompt at once: every step feeds the S chosen chunks through the
   * Transformer as one batch [S, 1, H] (one read of its weights for all S); then one pass of the
   * generative head and one of the decoder compute every sample's candidates (batch and greedy: all
   * N of each; exact: each sample's first batch), and each sample chooses its next chunk with its
   * own sampler. Only the exact sampler's further batches, needed when a sample's first batch runs
   * out, run per sample: their noise is drawn after the Bernoulli factory's coins of that sample.
   *
   * <p><b>Seeds.</b> Sample s draws all its randomness from {@code new SplittableRandom(seed + s)}
   * and keeps its own sampler state (the exact sampler's batch sizes follow its own calls so far),
   * so sample s is the text that a single run with seed {@code seed + s} gives; the results agree
   * as long as batching the forward pass does not move a float32 result across a decision (an
   * argmax tie in the decoder or a categorical draw on a boundary).
   *
   * <p>A sample that reaches end-of-text stops growing its text and drawing; its row of the
   * Transformer's batch is fed its last chunk again until every sample is done or {@code maxTokens}
   * is reached (the other rows do not read it). {@code stop} ends all samples. Each result's elapsed
   * time is the whole run's.
   *
   * @param samples S >= 1
   */
  public static List<Result> runSamples(CalmCheckpoint ck, Options o, int samples, SampleListener listener,
      BooleanSupplier stop, boolean stopAtEndOfText) {
    return runSamples(ck, o, samples, listener, stop, stopAtEndOfText, ChunkPass.of(ck));
  }

  /** As {@link #runSamples(CalmCheckpoint, Options, int, SampleListener, BooleanSupplier, boolean)}, drawing through {@code pass}. */
  static List<Result> runSamples(CalmCheckpoint ck, Options o, int samples, SampleListener listener,
      BooleanSupplier stop, boolean stopAtEndOfText, ChunkPass pass) {
    o.validate();
    if (samples < 1) {
      throw new CalmException("samples must be at least 1, got " + samples);
    }
    CalmModel model = ck.model();
    Autoencoder ae = ck.autoencoder();
    Tokenizer tokenizer = ck.tokenizer();
    int k = ck.patchSize();
    int eos = tokenizer.eosId();
    int[] promptTokens = tokenizer.encode(o.prompt());
    if (promptTokens.length > ck.maxContextTokens()) {
      throw new CalmException(promptTooLong(ck, promptTokens.length));
    }
    int[] padded = paddedPrompt(promptTokens, k, eos);
    int maxSteps = (o.maxTokens() + k - 1) / k;
    boolean latentInput = model.inputMode().usesLatents();
    int latentSize = model.config().latentSize();
    Row[] rows = new Row[samples];
    for (int r = 0; r < samples; r++) {
      rows[r] = new Row(new SplittableRandom(o.seed() + r), new TextStream(tokenizer), maxSteps);
    }

    long start = System.nanoTime();
    FoldedEmbedProj folded = ck.foldedInput(); // the feedback input as K table rows per step
    try (NDManager gm = ck.manager().newSubManager(); KvCache cache = model.newCache(gm, padded.length / k + maxSteps)) {
      float[] hidden; // [S * H]: row r predicts sample r's next chunk
      try (NDManager sm = gm.newSubManager()) {
        int[] prompts = new int[samples * padded.length];
        for (int r = 0; r < samples; r++) {
          System.arraycopy(padded, 0, prompts, r * padded.length, padded.length);
        }
        NDArray ids = longs(sm, prompts, samples, padded.length);
        NDArray h = model.step(ids, latentInput ? ae.encodeMean(ids) : null, cache, folded); // [S, P, H]
        hidden = h.get(":, -1").toFloatArray(); // [S, H]
      }
      int h = hidden.length / samples;
      for (int step = 0; step < maxSteps; step++) {
        try (NDManager sm = gm.newSubManager()) {
          int[] fed = new int[samples * k]; // [S, K]: the chunks fed back
          float[] fedLatents = latentInput ? new float[samples * latentSize] : null; // [S, L]
          // A new black box per step and sample still drawing: what it draws from depends on that sample's context.
          ChunkSampler[] boxes = new ChunkSampler[samples];
          List<ChunkSampler> live = new ArrayList<>(samples);
          List<SplittableRandom> liveRngs = new ArrayList<>(samples);
          for (int r = 0; r < samples; r++) {
            if (!rows[r].done) {
              boxes[r] = newBox(pass, sm, Arrays.copyOfRange(hidden, r * h, (r + 1) * h), o,
                  step == 0 ? TemperatureSampler.inverseTemperature(o.temperature()) : (double) rows[r].calls / step);
              live.add(boxes[r]);
              liveRngs.add(rows[r].rng);
            }
          }
          ChunkSampler.fill(live, liveRngs); // one head pass and one decoder pass for all samples' candidates
          boolean allDone = true;
          for (int r = 0; r < samples; r++) {
            Row row = rows[r];
            if (row.done) { // its row of the batch runs on with its last chunk; nothing of it is kept
              System.arraycopy(row.lastChunk, 0, fed, r * k, k);
              if (latentInput) {
                System.arraycopy(row.lastLatent, 0, fedLatents, r * latentSize, latentSize);
              }
              continue;
            }
            ChunkSampler box = boxes[r];
            TemperatureSample<TokenChunk> chosen = choose(box, row.rng, o);
            TokenChunk chunk = chosen.value();
            row.lastChunk = chunk.ids();
            System.arraycopy(row.lastChunk, 0, fed, r * k, k);
            if (latentInput) {
              row.lastLatent = box.latentOf(chunk);
              System.arraycopy(row.lastLatent, 0, fedLatents, r * latentSize, latentSize);
            }
            int[] ids = row.lastChunk;
            int cut = stopAtEndOfText ? indexOf(ids, eos) : -1;
            boolean end = cut >= 0;
            for (int j = 0; j < (end ? cut : k); j++) {
              row.kept.add(ids[j]);
            }
            row.callsPerStep[row.steps++] = chosen.samplerCalls();
            row.calls += chosen.samplerCalls();
            row.computed += box.computed();
            row.fallbacks += chosen.fellBack() ? 1 : 0;
            String piece = row.stream.next(row.kept, end || step + 1 == maxSteps);
            listener.onChunk(r, new ChunkEvent(step, chunk, piece, chosen.samplerCalls(), chosen.fellBack(), end));
            if (end) {
              row.done = true;
              row.stopReason = "end_of_text";
            }
            allDone &= row.done;
          }
          // Polled after the listener saw the chunks, so a stop requested from it ends right here.
          boolean stopping = !allDone && step + 1 < maxSteps && stop.getAsBoolean();
          if (stopping) {
            for (Row row : rows) {
              if (!row.done) {
                row.stream.next(row.kept, true); // the text keeps any bytes still waiting for their UTF-8 tail
                row.stopReason = "stopped";
              }
            }
          }
          if (allDone || stopping) {
            break;
          }
          if (step + 1 < maxSteps) {
            // Feed the chunks back as one more position: their tokens and/or the latents they came from.
            NDArray latents = latentInput ? sm.create(fedLatents, new Shape(samples, 1, latentSize)) : null;
            hidden = model.step(longs(sm, fed, samples, k), latents, cache, folded).get(":, -1").toFloatArray();
          }
        }
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    List<Result> results = new ArrayList<>(samples);
    for (Row row : rows) {
      results.add(new Result(o.prompt(), row.stream.emitted(), row.steps, row.kept.size(), promptTokens.length,
          padded.length, elapsed, elapsed > 0 ? row.kept.size() / elapsed : 0, row.calls,
          Arrays.copyOf(row.callsPerStep, row.steps), row.fallbacks, row.stopReason, row.computed));
    }
    return results;
  }

  /** One sample's state in {@link #runSamples}. */
  private static final class Row {
    final SplittableRandom rng;
    final TextStream stream;
    final List<Integer> kept = new ArrayList<>();
    final int[] callsPerStep;
    int[] lastChunk; // [K], fed again once the sample is done
    float[] lastLatent; // [L], likewise (latent input modes)
    int steps;
    long calls;
    long computed;
    int fallbacks;
    boolean done;
    String stopReason = "max_tokens";

    Row(SplittableRandom rng, TextStream stream, int maxSteps) {
      this.rng = rng;
      this.stream = stream;
      this.callsPerStep = new int[maxSteps];
    }
  }

  /** The step's chunk from its black box, by the options' sampler. */
  private static TemperatureSample<TokenChunk> choose(ChunkSampler box, SplittableRandom rng, Options o) {
    TemperatureSampler<TokenChunk> temperature = new TemperatureSampler<>(box, o.temperature(), o.maxSamplerCalls());
    return switch (o.method()) {
      case EXACT -> temperature.sampleExact(rng);
      case BATCH -> temperature.sampleBatch(rng, o.candidates());
      case GREEDY -> mode(box, rng, o.candidates());
    };
  }

  /**
   * The step's black box. Batch and greedy know their N; the exact sampler's first batch is sized
   * by {@code expectedCalls} (at least one attempt's ceil(1/T) draws), and later batches double.
   */
  private static ChunkSampler newBox(ChunkPass pass, NDManager sm, float[] hidden, Options o, double expectedCalls) {
    return switch (o.method()) {
      case BATCH, GREEDY -> new ChunkSampler(pass, sm, hidden, o.candidates(), 1);
      case EXACT -> new ChunkSampler(pass, sm, hidden, 0,
          ExactSamplerCost.batchSize(expectedCalls, o.temperature(), ChunkSampler.MAX_BATCH));
    };
  }

  /** Greedy: the most frequent of n draws, the first drawn among ties. */
  static TemperatureSample<TokenChunk> mode(ChunkSampler box, SplittableRandom rng, int n) {
    Map<TokenChunk, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(box.sample(rng), 1, Integer::sum);
    }
    TokenChunk best = null;
    int bestCount = 0;
    for (Map.Entry<TokenChunk, Integer> e : counts.entrySet()) {
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return new TemperatureSample<>(best, n, false, 0, Double.POSITIVE_INFINITY);
  }

  /**
   * The prompt as the model reads it: pad id 0 in front up to a whole number of chunks of K, so the
   * last real token ends a chunk. An empty prompt is the end-of-text id (or one chunk of pads).
   */
  public static int[] paddedPrompt(int[] tokens, int k, int eosId) {
    int[] real = tokens.length > 0 ? tokens : eosId >= 0 ? new int[] {eosId} : new int[0];
    int chunks = Math.max(1, (real.length + k - 1) / k);
    int[] out = new int[chunks * k]; // zeros = pad id 0
    System.arraycopy(real, 0, out, out.length - real.length, real.length);
    return out;
  }

  static String promptTooLong(CalmCheckpoint ck, int tokens) {
    if (ck.contextChunks().isPresent()) {
      return "the prompt is " + tokens + " tokens long, but the model in " + ck.dir() + " was trained on contexts of "
          + ck.maxContextTokens() + " tokens (context_chunks " + ck.contextChunks().getAsInt() + " x K=" + ck.patchSize()
          + "); shorten the prompt";
    }
    return "the prompt is " + tokens + " tokens long; at most " + ck.maxContextTokens() + " are allowed (the checkpoint "
        + ck.dir() + " does not record the context it was trained on); shorten the prompt";
  }

  private static int indexOf(int[] ids, int id) {
    if (id < 0) {
      return -1;
    }
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == id) {
        return i;
      }
    }
    return -1;
  }

  private static NDArray longs(NDManager m, int[] ids, long b, long t) {
    return m.create(ids, new Shape(b, t)).toType(DataType.INT64, false);
  }

  /**
   * Turns the growing list of generated ids into text pieces that concatenate to the final text.
   * Byte-level BPE can split one character over two chunks; its first half decodes to U+FFFD, so
   * trailing replacement characters are held back until the text is final.
   */
  static final class TextStream {
    private final Tokenizer tokenizer;
    private final StringBuilder emitted = new StringBuilder();

    TextStream(Tokenizer tokenizer) {
      this.tokenizer = tokenizer;
    }

    String next(List<Integer> ids, boolean last) {
      String full = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
      String stable = full;
      if (!last) {
        int end = stable.length();
        while (end > 0 && stable.charAt(end - 1) == '\uFFFD') {
          end--;
        }
        stable = stable.substring(0, end);
      }
      if (!stable.startsWith(emitted.toString())) {
        return ""; // an earlier piece decodes differently now; keep what was shown
      }
      String piece = stable.substring(emitted.length());
      emitted.append(piece);
      return piece;
    }

    String emitted() {
      return emitted.toString();
    }
  }
}
