package org.calmworkbench.backend.workflow;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.eval.ArBrier;
import org.calmworkbench.backend.eval.BrierResult;
import org.calmworkbench.backend.eval.CalmBrier;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.Checkpoints;

/**
 * {@code calm eval}: BrierLM of a language-model checkpoint on a corpus.
 *
 * <p>Decision, as {@code ae eval}: by default ({@code split = "all"}) the corpus is read in order from
 * its start (both parts of the train/validation split, back to back), so pass held-out text; {@code
 * split = "valid"} instead reads only the held-out part of the split the checkpoint's run recorded
 * (its {@code split.json}: seed and validation fraction), the text the in-training evaluations and the
 * experiment runner score. It is cut into windows of {@code
 * (context_chunks + 1) * K} tokens, with {@code context_chunks} the value the checkpoint was
 * trained with, or {@value #DEFAULT_CONTEXT_CHUNKS} when it does not record it, and up to {@code
 * positions} positions are scored (see {@link CalmBrier}).
 */
public final class LmEvaluation {
  private LmEvaluation() {}

  /** Context when the checkpoint does not say what it was trained with. */
  public static final int DEFAULT_CONTEXT_CHUNKS = 32;

  /** Positions scored by default. */
  public static final int DEFAULT_POSITIONS = 20_000;

  /**
   * @param autoencoder the CALM model's frozen autoencoder folder, or null to find it ({@link
   *     org.calmworkbench.backend.train.FrozenAutoencoder})
   */
  public record Options(Path checkpoint, List<Path> corpus, int positions, long seed, Path autoencoder, String split) {
    public Options {
      EvalSplit.parse(split); // refuses a bad name before any work
    }

    public Options(Path checkpoint, List<Path> corpus, int positions, long seed, Path autoencoder) {
      this(checkpoint, corpus, positions, seed, autoencoder, "all");
    }

    public Options(Path checkpoint, List<Path> corpus, int positions, long seed) {
      this(checkpoint, corpus, positions, seed, null);
    }
  }

  /**
   * @param modelType the checkpoint's model_type
   * @param brier Brier-1..4, BrierLM and standard errors over {@code brier.patches()} positions
   * @param contextChunks chunks of context per window
   * @param exactBrier1 Brier-1 computed from the model's probabilities (AR models only; else null)
   */
  public record Result(ModelType modelType, Path checkpoint, BrierResult brier, int contextChunks, Double exactBrier1,
      String split) {
    /** {"brier": [b1..b4], "brier_lm", "stderr" (of brier_lm), "brier_stderr": [4], "positions", ...}. */
    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      JsonArray b = new JsonArray();
      JsonArray se = new JsonArray();
      for (int n = 1; n <= 4; n++) {
        b.add(finite(brier.brier(n)));
        se.add(finite(brier.standardError(n)));
      }
      o.add("brier", b);
      o.addProperty("brier_lm", finite(brier.brierLm()));
      o.addProperty("stderr", finite(brier.brierLmStandardError()));
      o.add("brier_stderr", se);
      o.addProperty("positions", brier.patches());
      o.addProperty("context_chunks", contextChunks);
      o.addProperty("model_type", modelType.key());
      o.addProperty("checkpoint", checkpoint.toString());
      o.addProperty("split", split);
      if (exactBrier1 != null) {
        o.addProperty("exact_brier_1", exactBrier1);
      }
      return o;
    }

    private static Double finite(double v) {
      return Double.isFinite(v) ? v : null; // JSON has no NaN
    }
  }

  public static Result run(Options o) throws IOException {
    if (o.positions() < 1) {
      throw new CalmException("--positions must be at least 1, got " + o.positions());
    }
    if (o.corpus().isEmpty()) {
      throw new CalmException("no corpus given: pass --corpus PATH...");
    }
    ModelType type = Checkpoints.modelType(o.checkpoint());
    if (type.isCalm()) {
      return calm(o);
    }
    if (type == ModelType.AR) {
      return ar(o);
    }
    throw new CalmException(o.checkpoint().resolve("config.json") + " has model_type \"" + type.key()
        + "\"; calm eval supports CALM and \"" + ModelType.AR.key() + "\" checkpoints"
        + (type == ModelType.AUTOENCODER ? " (for an autoencoder use 'calm ae eval')" : ""));
  }

  private static Result calm(Options o) throws IOException {
    try (CalmCheckpoint ck = CalmCheckpoint.load(o.checkpoint(), o.autoencoder(), true)) {
      int k = ck.patchSize();
      int p = ck.contextChunks().orElse(DEFAULT_CONTEXT_CHUNKS);
      TokenIds ids = leadingTokens(o, ck.tokenizer(), tokenizerJson(ck), p, k);
      BrierResult r = CalmBrier.evaluate(ck.model(), ck.autoencoder(), ids, p, o.positions(), o.seed(), ck.manager());
      return new Result(ck.config().modelType(), o.checkpoint(), r, p, null, o.split());
    }
  }

  /**
   * The AR baseline on the positions CALM with K=4 would score: windows of (context_chunks + 1) * 4
   * tokens, a position every 4 tokens, two sampled 4-token continuations each, plus the exact
   * Brier-1 from the model's probabilities as a check on the two-sample estimator.
   */
  private static Result ar(Options o) throws IOException {
    try (ArCheckpoint ck = ArCheckpoint.load(o.checkpoint())) {
      int k = ArTrainer.REFERENCE_PATCH_SIZE;
      int p = ck.contextChunks().orElse(DEFAULT_CONTEXT_CHUNKS);
      Path file = ck.dir().resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(file)) {
        throw new CalmException("checkpoint " + ck.dir() + " has no tokenizer.json; evaluating on text needs one");
      }
      TokenIds ids = leadingTokens(o, ck.tokenizer(), Files.readAllBytes(file), p, k);
      ArBrier.Result r = ArBrier.evaluate(ck.model(), ids, p * k, k, o.positions(), o.seed(), ck.manager());
      return new Result(ModelType.AR, o.checkpoint(), r.sampled(), p, r.exactBrier1(), o.split());
    }
  }

  static byte[] tokenizerJson(CalmCheckpoint ck) throws IOException {
    Path own = ck.dir().resolve(AutoencoderTrainer.TOKENIZER);
    Path file = Files.isRegularFile(own) ? own : ck.autoencoderCheckpoint().dir().resolve(AutoencoderTrainer.TOKENIZER);
    if (!Files.isRegularFile(file)) {
      throw new CalmException("checkpoint " + ck.dir() + " has no tokenizer.json; evaluating on text needs one");
    }
    return Files.readAllBytes(file);
  }

  /**
   * The tokens of {@code o.split()} from the start, as many whole windows of (P+1)*K as {@code
   * o.positions()} needs (each window scores P positions when K >= 4, P + 1 - ceil(4/K) otherwise).
   */
  private static TokenIds leadingTokens(Options o, Tokenizer tokenizer, byte[] tokJson, int p, int k)
      throws IOException {
    List<Path> corpus = o.corpus();
    int positions = o.positions();
    EvalSplit split = EvalSplit.parse(o.split());
    boolean valid = split == EvalSplit.VALID;
    TokenizedCorpus tc = valid
        ? Corpora.tokenize(corpus, tokenizer, tokJson, DataSplit.of(o.checkpoint()), (a, b) -> {})
        : Corpora.tokenize(corpus, tokenizer, tokJson, Corpora.DEFAULT_SPLIT_SEED, (a, b) -> {});
    int rollout = (4 + k - 1) / k;
    int perWindow = k >= 4 ? p : p + 1 - rollout;
    if (perWindow < 1) {
      throw new CalmException("context_chunks " + p + " is too short to score BrierLM with K=" + k + " (needs "
          + rollout + " chunks of rollout)");
    }
    long windowLen = (long) (p + 1) * k;
    long windows = (positions + perWindow - 1L) / perWindow;
    long[] ids = Corpora.leadingChunks(split.parts(tc), k,
        (int) Math.min(Integer.MAX_VALUE - 8, windows * (p + 1)));
    if (ids.length < windowLen) {
      throw new CalmException("the corpus " + corpus + (valid ? " (its held-out split)" : "") + " has " + ids.length
          + " tokens, fewer than one evaluation window"
          + " of " + windowLen + " tokens (context_chunks " + p + " + 1 chunks of K=" + k + "); give more text");
    }
    int[] out = new int[(int) ids.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) ids[i];
    }
    return TokenIds.of(out);
  }
}
