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
    o.validate();
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
    SplittableRandom rng = new SplittableRandom(o.seed());

    long start = System.nanoTime();
    List<Integer> kept = new ArrayList<>();
    TextStream stream = new TextStream(tokenizer);
    int[] callsPerStep = new int[maxSteps];
    long calls = 0;
    long computed = 0;
    int fallbacks = 0;
    int steps = 0;
    String stopReason = "max_tokens";
    FoldedEmbedProj folded = ck.foldedInput(); // the feedback input as K table rows per step
    try (NDManager gm = ck.manager().newSubManager(); KvCache cache = model.newCache(gm)) {
      float[] hidden;
      try (NDManager sm = gm.newSubManager()) {
        NDArray ids = longs(sm, padded, 1, padded.length);
        NDArray h = model.step(ids, latentInput ? ae.encodeMean(ids) : null, cache, folded); // [1, P, H]
        hidden = h.get(":, -1").toFloatArray(); // [H]: predicts the first new chunk
      }
      for (int step = 0; step < maxSteps; step++) {
        try (NDManager sm = gm.newSubManager()) {
          // A new black box per step: what it draws from depends on the context so far.
          // The exact sampler's first batch: the calls expected per step, estimated by the mean so far.
          double expectedCalls = step == 0 ? TemperatureSampler.inverseTemperature(o.temperature()) : (double) calls / step;
          ChunkSampler box = newBox(model, ae, sm, hidden, o, expectedCalls);
          TemperatureSampler<TokenChunk> temperature = new TemperatureSampler<>(box, o.temperature(), o.maxSamplerCalls());
          TemperatureSample<TokenChunk> chosen = switch (o.method()) {
            case EXACT -> temperature.sampleExact(rng);
            case BATCH -> temperature.sampleBatch(rng, o.candidates());
            case GREEDY -> mode(box, rng, o.candidates());
          };
          TokenChunk chunk = chosen.value();
          int[] ids = chunk.ids();
          int cut = stopAtEndOfText ? indexOf(ids, eos) : -1;
          boolean end = cut >= 0;
          for (int j = 0; j < (end ? cut : k); j++) {
            kept.add(ids[j]);
          }
          steps++;
          callsPerStep[step] = chosen.samplerCalls();
          calls += chosen.samplerCalls();
          computed += box.computed();
          fallbacks += chosen.fellBack() ? 1 : 0;
          String piece = stream.next(kept, end || step + 1 == maxSteps);
          listener.onChunk(new ChunkEvent(step, chunk, piece, chosen.samplerCalls(), chosen.fellBack(), end));
          // Polled after the listener saw the chunk, so a stop requested from it ends right here.
          boolean stopping = !end && step + 1 < maxSteps && stop.getAsBoolean();
          if (stopping) {
            stream.next(kept, true); // the result's text keeps any bytes still waiting for their UTF-8 tail
          }
          if (end || stopping) {
            stopReason = end ? "end_of_text" : "stopped";
            break;
          }
          if (step + 1 < maxSteps) {
            // Feed the chunk back as one more position: its tokens and/or the latent it came from.
            NDArray latent = latentInput ? sm.create(box.latentOf(chunk), new Shape(1, 1, model.config().latentSize())) : null;
            hidden = model.step(longs(sm, ids, 1, k), latent, cache, folded).get(":, -1").toFloatArray();
          }
        }
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    String text = stream.emitted();
    return new Result(o.prompt(), text, steps, kept.size(), promptTokens.length, padded.length, elapsed,
        elapsed > 0 ? kept.size() / elapsed : 0, calls, Arrays.copyOf(callsPerStep, steps), fallbacks, stopReason,
        computed);
  }

  /**
   * The step's black box. Batch and greedy know their N; the exact sampler's first batch is sized
   * by {@code expectedCalls} (at least one attempt's ceil(1/T) draws), and later batches double.
   */
  private static ChunkSampler newBox(CalmModel model, Autoencoder ae, NDManager sm, float[] hidden, Options o,
      double expectedCalls) {
    boolean keepLatents = model.inputMode().usesLatents();
    return switch (o.method()) {
      case BATCH, GREEDY -> new ChunkSampler(model, ae, sm, hidden, o.candidates(), 1, keepLatents);
      case EXACT -> new ChunkSampler(model, ae, sm, hidden, 0,
          ExactSamplerCost.batchSize(expectedCalls, o.temperature(), ChunkSampler.MAX_BATCH), keepLatents);
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
