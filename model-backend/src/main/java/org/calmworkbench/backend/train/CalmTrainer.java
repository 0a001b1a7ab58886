package org.calmworkbench.backend.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.data.BatchSampler;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.eval.BrierResult;
import org.calmworkbench.backend.eval.CalmBrier;
import org.calmworkbench.backend.eval.EnergyLevels;
import org.calmworkbench.backend.eval.OnManifold;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.model.LatentScale;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;

/**
 * Trains the CALM language model against a frozen autoencoder, with its head's loss: the energy
 * loss (the paper's), or the flow or diffusion head's MSE.
 *
 * <p>Per step: B aligned windows of (P+1)*K tokens. The autoencoder encodes every chunk (no
 * gradient); chunks 1..P are the targets, each as M samples of its posterior N(mean, std^2). The
 * Transformer reads chunks 0..P-1 (tokens, latents, or both), the energy head draws N samples per
 * position, and the loss is the negated energy score (the other heads: see {@link
 * org.calmworkbench.backend.model.GenerativeHead#trainingLoss}). Evaluation: the head's loss and
 * BrierLM on held-out windows.
 */
public final class CalmTrainer {
  private CalmTrainer() {}

  public static final String AUTOENCODER_DIR = "autoencoder";

  public record Request(
      CalmConfig model, // the architecture and the generative head
      InputMode inputMode,
      TrainConfig train,
      LmSettings lm,
      Path autoencoder, // the frozen autoencoder's checkpoint folder
      TokenIds trainIds,
      TokenIds validIds,
      Path out,
      byte[] tokenizerJson,
      boolean resume,
      Path initBackbone) { // AR checkpoint whose transformer.* weights start the backbone; null: random

    public Request(CalmConfig model, InputMode inputMode, TrainConfig train, LmSettings lm,
        Path autoencoder, TokenIds trainIds, TokenIds validIds, Path out, byte[] tokenizerJson, boolean resume) {
      this(model, inputMode, train, lm, autoencoder, trainIds, validIds, out, tokenizerJson, resume, null);
    }
  }

  public static TrainingLoop.Result run(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    try (RunLock lock = RunLock.acquire(r.out(), "training calm")) { // one writer per folder (RunLock)
      return runLocked(r, listener, control);
    }
  }

  private static TrainingLoop.Result runLocked(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(r.autoencoder())) {
      checkCompatible(r.model(), ae);
      Engine.getEngine("PyTorch").setRandomSeed((int) r.train().seed());
      try (NDManager params = NDManager.newBaseManager(ComputeDevice.device())) {
        CalmModel lm = new CalmModel(r.model(), r.inputMode());
        lm.initializeParameters(params);
        if (r.initBackbone() != null && !r.resume()) {
          warmStart(lm, r.initBackbone());
        }
        if (r.lm().standardizeLatents() == 1) {
          lm.setLatentScale(r.resume()
              ? LatentScale.read(r.out(), r.model().latentSize()).orElseThrow(() -> new CalmException("--resume: "
                  + r.out().resolve(LatentScale.FILE) + " is missing, but the run standardises its latents"))
              : LatentScale.measure(ae.model(), r.trainIds(), params));
        }
        if (r.resume()) {
          Path configFile = r.out().resolve(TrainingLoop.CONFIG);
          CalmConfig saved = CalmConfig.read(configFile);
          if (!saved.head().equals(r.model().head())) {
            throw new CalmException("--resume: the head settings differ from the checkpoint's " + configFile
                + " (" + saved.head().type().key() + " head); resume without changing the head");
          }
          if (!saved.equals(r.model())) {
            throw new CalmException("--resume: the model settings differ from the checkpoint's "
                + configFile + "; resume without changing the architecture");
          }
        }
        copyAutoencoder(r.autoencoder(), r.out().resolve(AUTOENCODER_DIR));
        EncodedChunks encoded = EncodedChunks.forRun(ae.model(), r, params,
            f -> listener.onStage("encoding the training split once", f));
        return TrainingLoop.run(new Task(lm, ae.model(), r, encoded), r.train(), r.out(), r.resume(), listener, control);
      }
    }
  }

  /**
   * Copies the AR baseline checkpoint's backbone ({@code transformer.*}, the same Llama code CALM
   * uses) into {@code lm}; CALM's own input projection and head stay random. An experiment of the
   * recipe ablation (does CALM learn once its backbone already reads text?), not a default.
   */
  static void warmStart(CalmModel lm, Path arCheckpoint) {
    Path file = arCheckpoint.resolve(TrainingLoop.MODEL);
    if (!Files.isRegularFile(file)) {
      throw new CalmException("--init-backbone: " + arCheckpoint + " holds no " + TrainingLoop.MODEL
          + " (pass an AR baseline checkpoint from 'calm ar train')");
    }
    int copied = Weights.loadMatching(lm, Safetensors.read(file), "transformer.");
    if (copied == 0) {
      throw new CalmException("--init-backbone: " + file + " has no transformer.* tensor shaped like this model's backbone;"
          + " train the AR baseline with the same hidden_size, layers and heads");
    }
  }

  /** The language model's K and L must be the autoencoder's; the message names both values. */
  public static void checkCompatible(CalmConfig lm, AutoencoderCheckpoint ae) {
    if (lm.patchSize() != ae.config().patchSize() || lm.latentSize() != ae.config().latentSize()) {
      throw new CalmException("the autoencoder in " + ae.dir() + " has patch_size K=" + ae.config().patchSize()
          + " and latent_size L=" + ae.config().latentSize() + ", but the language model is configured with K="
          + lm.patchSize() + " and L=" + lm.latentSize() + "; they must match");
    }
    if (lm.vocabSize() != ae.config().vocabSize()) {
      throw new CalmException("the autoencoder in " + ae.dir() + " has vocab_size " + ae.config().vocabSize()
          + " but the language model has " + lm.vocabSize() + "; they must use the same tokenizer");
    }
  }

  /** The checkpoint keeps its own copy of the frozen autoencoder, so it is self-contained. */
  static void copyAutoencoder(Path from, Path to) throws IOException {
    if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) {
      return;
    }
    Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
    // an official autoencoder folder keeps its weights in pytorch_model.bin; the copy keeps that file
    for (String name : new String[] {TrainingLoop.CONFIG, TrainingLoop.MODEL, CheckpointWeights.PYTORCH,
        AutoencoderTrainer.TOKENIZER}) {
      Path f = from.resolve(name);
      if (Files.isRegularFile(f)) {
        files.put(name, CheckpointFiles.bytes(Files.readAllBytes(f)));
      }
    }
    CheckpointFiles.commit(to, files);
  }

  /**
   * config.json: the official CALMConfig fields (the head's own settings, model_type naming the
   * head: {@link CalmConfig#toJson}) plus the input mode and where the autoencoder is.
   */
  public static JsonObject configJson(CalmConfig c, InputMode mode) {
    JsonObject o = c.toJson();
    o.addProperty("input_mode", mode.key());
    o.addProperty("ae_path", AUTOENCODER_DIR);
    return o;
  }

  /** metrics.jsonl keys of the energy loss's reference levels ({@link EnergyLevels}), at every evaluation. */
  public static final String MARGINAL_KEY = "energy_marginal";

  public static final String ORACLE_KEY = "energy_oracle";

  /**
   * metrics.jsonl key of where the held-out energy loss lies from the marginal (0) to the oracle
   * (1) level ({@link EnergyLevels#contextGain}): how much of the context the model uses.
   */
  public static final String CONTEXT_GAIN_KEY = "context_gain";

  /** Held-out windows for the held-out head loss at each evaluation. */
  static final int VALID_WINDOWS = 32;

  /** metrics.jsonl key of the share of head samples on the autoencoder's manifold ({@link OnManifold}). */
  public static final String ON_MANIFOLD_KEY = "on_manifold";

  /** The held-out loss's metric name: valid_energy_loss, valid_flow_loss or valid_diffusion_loss. */
  public static String validLossKey(HeadType head) {
    return "valid_" + head.key() + "_loss";
  }

  static final class Task implements TrainingLoop.Task {
    private final CalmModel lm;
    private final Autoencoder ae;
    private final Request r;
    private final BatchSampler sampler;
    private final int k;
    private final int p;
    private final EncodedChunks encoded; // the training split's encoder output, or null: encode per step
    private EnergyLevels levels; // measured at the first evaluation

    Task(CalmModel lm, Autoencoder ae, Request r) {
      this(lm, ae, r, null);
    }

    Task(CalmModel lm, Autoencoder ae, Request r, EncodedChunks encoded) {
      this.lm = lm;
      this.ae = ae;
      this.r = r;
      this.encoded = encoded;
      this.k = r.model().patchSize();
      this.p = r.lm().contextChunks();
      long need = (long) (p + 1) * k;
      if (r.trainIds().size() < need) {
        throw new CalmException("the training split has " + r.trainIds().size() + " tokens, fewer than one sequence of "
            + need + " tokens (context_chunks + 1 = " + (p + 1) + " chunks of K=" + k + "); lower context_chunks or add text");
      }
      this.sampler = new BatchSampler(r.trainIds(), (p + 1) * k, k, r.train().seed());
    }

    @Override
    public ModelType modelType() {
      return r.model().modelType();
    }

    @Override
    public Map<String, Parameter> parameters() {
      return lm.trainableParameters();
    }

    @Override
    public long tokensPerStep() {
      return (long) r.train().batchSize() * p * k;
    }

    @Override
    public double trainingFlopsPerToken() {
      return Flops.calmTrainingPerToken(lm.config(), ae.config(), lm.inputMode());
    }

    @Override
    public TrainingLoop.StepMetrics trainStep(NDManager sm, long step, SplittableRandom rng) {
      int b = r.train().batchSize();
      long[] offsets = sampler.offsets(step, b); // drawn once: the windows and their cached encodings
      int[] batch = new int[b * (p + 1) * k]; // [B, (P+1)*K]
      sampler.fill(offsets, batch);
      NDArray ids = sm.create(batch, new Shape(b, (long) (p + 1) * k)).toType(ai.djl.ndarray.types.DataType.INT64, false);
      NDArray enc = encoded == null ? null : encoded.windows(sm, offsets, p + 1);
      NDArray loss = headLoss(sm, ids, enc, true);
      float value = loss.getFloat();
      return new TrainingLoop.StepMetrics(value,
          lm.head().type() == HeadType.ENERGY ? Map.of("energy_score", (double) -value) : Map.of());
    }

    /**
     * The head's loss on windows ids [B, (P+1)*K] (the energy loss, or the flow or diffusion MSE);
     * with {@code train}, also its backward pass.
     */
    NDArray headLoss(NDManager sm, NDArray ids, boolean train) {
      return headLoss(sm, ids, null, train);
    }

    /** As above, with the windows' encoder output [B, P+1, 2L] given ({@link EncodedChunks}), or null to encode. */
    NDArray headLoss(NDManager sm, NDArray ids, NDArray encodedIds, boolean train) {
      long t = ids.getShape().get(1);
      // [B, P+1, L] each; the autoencoder is frozen
      NDList meanLogStd = (encodedIds != null ? encodedIds : ae.encode(ids)).split(2, 2);
      NDArray mean = meanLogStd.get(0);
      NDArray std = meanLogStd.get(1).exp();
      NDArray targetMean = mean.get(":, 1:");
      NDArray targetStd = std.get(":, 1:");
      LatentScale scale = lm.latentScale();
      if (scale != null) { // the head predicts standardised latents; the loss lives in that space
        targetMean = scale.standardize(sm, targetMean);
        targetStd = scale.standardizeSpread(sm, targetStd);
      }
      // Energy: M posterior samples against N head samples; flow/diffusion: head_samples posterior samples.
      int m = r.model().head().lossSamples();
      NDArray inputIds = ids.get(":, :" + (t - k)); // chunks 0..P-1
      NDArray inputLatents = lm.inputMode().usesLatents() ? mean.get(":, :-1") : null;
      NDArray loss;
      if (train) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray hidden = lm.transformer().forward(lm.inputs(inputIds, inputLatents));
          loss = lm.head().trainingLoss(sm, hidden, targetMean, targetStd, m);
          gc.backward(loss);
        }
      } else {
        NDArray hidden = lm.transformer().forward(lm.inputs(inputIds, inputLatents));
        loss = lm.head().trainingLoss(sm, hidden, targetMean, targetStd, m);
      }
      return loss;
    }

    @Override
    public Map<String, Double> evaluate(NDManager root, long step) {
      Map<String, Double> out = new LinkedHashMap<>();
      long windowLen = (long) (p + 1) * k;
      int windows = (int) Math.min(VALID_WINDOWS, r.validIds().size() / windowLen);
      if (windows == 0) {
        return out;
      }
      try (NDManager m = root.newSubManager()) {
        Engine.getInstance().setRandomSeed((int) r.train().seed() + 7);
        int[] buf = new int[(int) (windows * windowLen)];
        r.validIds().copy(0, buf, 0, buf.length);
        NDArray ids = m.create(buf, new Shape(windows, windowLen)).toType(ai.djl.ndarray.types.DataType.INT64, false);
        out.put(validLossKey(lm.head().type()), (double) headLoss(m, ids, false).getFloat());
      }
      boolean energy = lm.head().type() == HeadType.ENERGY;
      if (levels == null && (energy || r.lm().evalPositions() > 0)) { // measured once per run
        // Another head only needs the manifold radius, which does not depend on beta.
        double beta = r.model().head() instanceof HeadConfig.Energy e ? e.beta() : 1.0;
        levels = EnergyLevels.measure(ae, r.validIds(), beta, EnergyLevels.DEFAULT_CHUNKS,
            r.train().seed() + 11, root, lm.latentScale());
      }
      if (energy) {
        out.put(MARGINAL_KEY, levels.marginal());
        out.put(ORACLE_KEY, levels.oracle());
        double gain = levels.contextGain(out.get(validLossKey(HeadType.ENERGY)));
        if (!Double.isNaN(gain)) {
          out.put(CONTEXT_GAIN_KEY, gain);
        }
      }
      if (r.lm().evalPositions() > 0) {
        OnManifold manifold = new OnManifold(levels.manifoldRadius()); // the radius does not depend on beta
        BrierResult br = CalmBrier.evaluate(lm, ae, r.validIds(), p, r.lm().evalPositions(), r.train().seed(), root,
            manifold);
        double[] b = br.brier();
        for (int i = 0; i < b.length; i++) {
          out.put("brier_" + (i + 1), b[i]);
        }
        out.put("brier_lm", br.brierLm());
        out.put(ON_MANIFOLD_KEY, manifold.fraction());
      }
      return out;
    }

    @Override
    public Map<String, CheckpointFiles.FileWriter> modelFiles(Map<String, String> meta) {
      Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
      JsonObject config = configJson(r.model(), r.inputMode());
      config.addProperty("context_chunks", p); // the context generation and eval trust (CalmCheckpoint.maxContextTokens)
      files.put(TrainingLoop.CONFIG, CheckpointFiles.bytes(config.toString().getBytes(StandardCharsets.UTF_8)));
      files.put(TrainingLoop.MODEL, f -> Safetensors.write(f, Weights.export(lm), meta));
      if (r.tokenizerJson() != null) {
        files.put(AutoencoderTrainer.TOKENIZER, CheckpointFiles.bytes(r.tokenizerJson()));
      }
      if (lm.latentScale() != null) {
        files.put(LatentScale.FILE, CheckpointFiles.bytes(lm.latentScale().toJson()));
      }
      return files;
    }

    @Override
    public void loadWeights(Path dir) {
      Weights.load(lm, Safetensors.read(dir.resolve(TrainingLoop.MODEL)));
    }
  }
}
