package org.calmworkbench.backend.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.data.BatchSampler;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.eval.ArBrier;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;

/**
 * Trains the autoregressive baseline with next-token cross-entropy, on the same data pipeline as
 * CALM so the comparison is fair.
 *
 * <p><b>Context length (decision).</b> The AR context in tokens equals CALM's: {@code T =
 * context_chunks * K} with K = {@link #REFERENCE_PATCH_SIZE} = 4, the patch size of every
 * autoencoder preset and of the paper. So one LM preset gives CALM and the AR baseline the same
 * context and the same tokens per step (B * T). To compare with a CALM model of another K, set
 * {@code context_chunks} to {@code P * K / 4}.
 *
 * <p><b>Batches.</b> Each step draws B windows of {@code (context_chunks + 1) * 4} tokens aligned
 * to 4, exactly the windows {@link CalmTrainer} draws at K = 4 with the same seed; the model reads
 * tokens 0..T-1 and predicts tokens 1..T (the last 3 tokens of each window are unused). Loss: mean
 * cross-entropy in nats per token.
 *
 * <p><b>Evaluation.</b> Held-out cross-entropy (and perplexity) on fixed windows, and, when
 * {@code eval_positions > 0}, BrierLM at CALM's positions ({@link ArBrier}) with the exact Brier-1
 * beside it.
 */
public final class ArTrainer {
  private ArTrainer() {}


  /** K of the CALM models this baseline is compared with; the AR context is context_chunks * K tokens. */
  public static final int REFERENCE_PATCH_SIZE = 4;

  /** Held-out windows of the validation cross-entropy (fixed: the first ones of the split). */
  static final int VALID_WINDOWS = 32;

  /** Windows per forward pass in evaluation (bounds the [B, T, V] logits). */
  static final int EVAL_BATCH = 8;

  public record Request(
      ArConfig model,
      TrainConfig train,
      LmSettings lm, // context_chunks and eval_positions (target_samples is not used)
      TokenIds trainIds,
      TokenIds validIds,
      Path out,
      byte[] tokenizerJson, // copied into the checkpoint (may be null)
      boolean resume) {}

  /** Context length T in tokens for these LM settings. */
  public static int contextTokens(LmSettings lm) {
    return Math.multiplyExact(lm.contextChunks(), REFERENCE_PATCH_SIZE);
  }

  /** Tokens per sampled window: CALM's (context_chunks + 1) * K at K = 4. */
  public static int windowTokens(LmSettings lm) {
    return Math.multiplyExact(lm.contextChunks() + 1, REFERENCE_PATCH_SIZE);
  }

  public static TrainingLoop.Result run(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    try (RunLock lock = RunLock.acquire(r.out(), "training calm_ar")) { // one writer per folder (RunLock)
      return runLocked(r, listener, control);
    }
  }

  private static TrainingLoop.Result runLocked(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    Engine.getEngine("PyTorch").setRandomSeed((int) r.train().seed()); // initialisation
    try (NDManager params = NDManager.newBaseManager(ComputeDevice.device())) {
      ArModel model = new ArModel(r.model());
      model.initializeParameters(params);
      if (r.resume()) {
        ArConfig saved = ArConfig.read(r.out().resolve(TrainingLoop.CONFIG));
        if (!saved.equals(r.model())) {
          throw new CalmException("--resume: the model settings differ from the checkpoint's "
              + r.out().resolve(TrainingLoop.CONFIG) + "; resume without changing the architecture");
        }
      }
      return TrainingLoop.run(new Task(model, r), r.train(), r.out(), r.resume(), listener, control);
    }
  }

  /** config.json: the architecture, model_type "calm_ar", and the training context for the record. */
  public static JsonObject configJson(ArConfig c, LmSettings lm) {
    JsonObject o = c.toJson();
    o.addProperty("context_chunks", lm.contextChunks());
    o.addProperty("context_tokens", contextTokens(lm));
    return o;
  }

  /**
   * Mean next-token cross-entropy (nats) of logits [B, T, V] against targets [B, T] (int64):
   * {@code -mean(log_softmax(logits)[target])}, as the autoencoder's reconstruction loss.
   */
  public static NDArray crossEntropy(NDArray logits, NDArray targets) {
    long n = logits.getShape().get(0) * logits.getShape().get(1);
    NDArray flat = logits.reshape(n, logits.getShape().get(2)); // [B*T, V]
    return flat.logSoftmax(1).gather(targets.reshape(n, 1), 1).mean().neg();
  }

  static final class Task implements TrainingLoop.Task {
    private final ArModel model;
    private final Request r;
    private final BatchSampler sampler;
    private final int contextTokens; // T
    private final int windowTokens; // (P+1)*4

    Task(ArModel model, Request r) {
      this.model = model;
      this.r = r;
      this.contextTokens = contextTokens(r.lm());
      this.windowTokens = windowTokens(r.lm());
      if (r.trainIds().size() < windowTokens) {
        throw new CalmException("the training split has " + r.trainIds().size() + " tokens, fewer than one sequence of "
            + windowTokens + " tokens ((context_chunks + 1) * " + REFERENCE_PATCH_SIZE + "); lower context_chunks or add text");
      }
      this.sampler = new BatchSampler(r.trainIds(), windowTokens, REFERENCE_PATCH_SIZE, r.train().seed());
    }

    @Override
    public ModelType modelType() {
      return ModelType.AR;
    }

    @Override
    public Map<String, Parameter> parameters() {
      return model.namedParameters();
    }

    @Override
    public long tokensPerStep() {
      return (long) r.train().batchSize() * contextTokens;
    }

    @Override
    public double trainingFlopsPerToken() {
      return Flops.arTrainingPerToken(model.config().backbone());
    }

    @Override
    public TrainingLoop.StepMetrics trainStep(NDManager sm, long step, SplittableRandom rng) {
      int b = r.train().batchSize();
      NDArray windows = sm.create(sampler.batch(step, b), new Shape(b, windowTokens)).toType(DataType.INT64, false);
      NDArray input = windows.get(":, :" + contextTokens); // [B, T]: tokens 0..T-1
      NDArray target = windows.get(":, 1:" + (contextTokens + 1)); // [B, T]: tokens 1..T
      NDArray logits;
      NDArray ce;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        logits = model.forward(input); // [B, T, V]
        ce = crossEntropy(logits, target);
        gc.backward(ce);
      }
      double accuracy = logits.argMax(2).eq(target).toType(DataType.FLOAT32, false).mean().getFloat();
      double loss = ce.getFloat();
      Map<String, Double> terms = new LinkedHashMap<>();
      terms.put("token_accuracy", accuracy);
      return new TrainingLoop.StepMetrics(loss, terms);
    }

    @Override
    public Map<String, Double> evaluate(NDManager root, long step) {
      Map<String, Double> out = new LinkedHashMap<>();
      double ce = validationCrossEntropy(model, r.validIds(), contextTokens, windowTokens, root);
      if (Double.isNaN(ce)) {
        return out;
      }
      out.put("valid_ce", ce);
      out.put("valid_perplexity", Math.exp(ce));
      if (r.lm().evalPositions() > 0) {
        ArBrier.Result br = ArBrier.evaluate(model, r.validIds(), contextTokens, REFERENCE_PATCH_SIZE,
            r.lm().evalPositions(), r.train().seed(), root);
        for (int n = 1; n <= 4; n++) {
          out.put("brier_" + n, br.sampled().brier(n));
        }
        out.put("brier_lm", br.sampled().brierLm());
        out.put("brier_1_exact", br.exactBrier1());
      }
      return out;
    }

    @Override
    public Map<String, CheckpointFiles.FileWriter> modelFiles(Map<String, String> meta) {
      Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
      files.put(TrainingLoop.CONFIG,
          CheckpointFiles.bytes(configJson(r.model(), r.lm()).toString().getBytes(StandardCharsets.UTF_8)));
      files.put(TrainingLoop.MODEL, f -> Safetensors.write(f, Weights.export(model), meta));
      if (r.tokenizerJson() != null) {
        files.put(AutoencoderTrainer.TOKENIZER, CheckpointFiles.bytes(r.tokenizerJson()));
      }
      return files;
    }

    @Override
    public void loadWeights(Path dir) {
      Weights.load(model, Safetensors.read(dir.resolve(TrainingLoop.MODEL)));
    }
  }

  /**
   * Mean cross-entropy (nats per token) over the first {@link #VALID_WINDOWS} held-out windows of
   * {@code windowTokens} tokens, predicting tokens 1..T from 0..T-1 in each; NaN if the split holds
   * no whole window.
   */
  public static double validationCrossEntropy(ArModel model, TokenIds valid, int contextTokens, int windowTokens,
      NDManager root) {
    int windows = (int) Math.min(VALID_WINDOWS, valid.size() / windowTokens);
    if (windows == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int first = 0; first < windows; first += EVAL_BATCH) {
      int b = Math.min(EVAL_BATCH, windows - first);
      int[] buf = new int[b * windowTokens];
      valid.copy((long) first * windowTokens, buf, 0, buf.length);
      try (NDManager m = root.newSubManager()) {
        NDArray ids = m.create(buf, new Shape(b, windowTokens)).toType(DataType.INT64, false);
        NDArray logits = model.forward(ids.get(":, :" + contextTokens));
        sum += crossEntropy(logits, ids.get(":, 1:" + (contextTokens + 1))).getFloat() * b;
      }
    }
    return sum / windows;
  }
}
