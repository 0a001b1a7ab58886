package org.calmworkbench.backend.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.model.Weights;

/**
 * Trains the CALM autoencoder: {@code run(request, listener, control) -> Result}, the one entry
 * point the CLI, the GUI service and the tests all call. The loop itself is {@link TrainingLoop}.
 *
 * <p>Per step: B random chunks of K tokens; the VAE loss of {@link Autoencoder#loss} (token
 * masking, posterior sample, latent dropout, clamped KL). Every {@code eval_every} steps the
 * held-out chunks are decoded from their means (sigma 0) to report accuracy.
 */
public final class AutoencoderTrainer {
  private AutoencoderTrainer() {}

  /** What to train, on what, and where to keep it. */
  public record Request(
      AutoencoderConfig model,
      TrainConfig train,
      PatchSampler trainData,
      long[] validPatches, // held-out chunks [N * K] for the periodic accuracy check (may be empty)
      Path out, // the checkpoint folder
      byte[] tokenizerJson, // copied into the checkpoint so it is self-contained (may be null)
      boolean resume) {}

  public static final String CONFIG = TrainingLoop.CONFIG;
  public static final String MODEL = TrainingLoop.MODEL;
  public static final String STATE = TrainingLoop.STATE;
  public static final String METRICS = TrainingLoop.METRICS;
  public static final String TOKENIZER = "tokenizer.json";

  /** Held-out chunks checked at each evaluation (a fixed subset keeps it cheap). */
  static final int VALID_PATCHES = 2048;

  public static TrainingLoop.Result run(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    try (RunLock lock = RunLock.acquire(r.out(), "training calm_autoencoder")) { // one writer per folder (RunLock)
      return runLocked(r, listener, control);
    }
  }

  private static TrainingLoop.Result runLocked(Request r, TrainingLoop.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    Engine.getEngine("PyTorch").setRandomSeed((int) r.train().seed()); // initialisation
    try (NDManager params = NDManager.newBaseManager(ComputeDevice.device())) {
      Autoencoder ae = new Autoencoder(r.model());
      ae.initializeParameters(params);
      if (r.resume()) {
        AutoencoderConfig saved = AutoencoderConfig.read(r.out().resolve(CONFIG));
        if (!saved.equals(r.model())) {
          throw new CalmException("--resume: the model settings differ from the checkpoint's " + r.out().resolve(CONFIG)
              + "; resume without changing the architecture");
        }
      }
      return TrainingLoop.run(new Task(ae, r), r.train(), r.out(), r.resume(), listener, control);
    }
  }

  /** The autoencoder's part of the training loop. */
  static final class Task implements TrainingLoop.Task {
    private final Autoencoder ae;
    private final Request r;
    private final long[] ids;

    Task(Autoencoder ae, Request r) {
      this.ae = ae;
      this.r = r;
      this.ids = new long[r.train().batchSize() * r.model().patchSize()];
    }

    @Override
    public ModelType modelType() {
      return ModelType.AUTOENCODER;
    }

    @Override
    public Map<String, Parameter> parameters() {
      return ae.namedParameters();
    }

    @Override
    public long tokensPerStep() {
      return ids.length;
    }

    @Override
    public double trainingFlopsPerToken() {
      return 6 * ae.matmulParamsPerToken();
    }

    @Override
    public TrainingLoop.StepMetrics trainStep(NDManager sm, long step, SplittableRandom rng) {
      int k = r.model().patchSize();
      int batch = r.train().batchSize();
      r.trainData().sample(ids, batch, k, rng);
      NDArray input = sm.create(ids, new Shape(batch, k)); // [B, K]: one chunk per row
      Autoencoder.Loss loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = ae.loss(input, null, true);
        gc.backward(loss.total());
      }
      Map<String, Double> terms = new LinkedHashMap<>();
      terms.put("ce", (double) loss.ce().getFloat());
      terms.put("kl", (double) loss.kl().getFloat());
      terms.put("token_accuracy", (double) loss.tokenAccuracy().getFloat());
      return new TrainingLoop.StepMetrics(loss.total().getFloat(), terms);
    }

    @Override
    public java.util.Optional<String> bestMetric() {
      return java.util.Optional.of("valid_token_accuracy");
    }

    @Override
    public Map<String, Double> evaluate(NDManager root, long step) {
      int k = r.model().patchSize();
      if (r.validPatches().length < k) {
        return Map.of();
      }
      int n = Math.min(r.validPatches().length / k, VALID_PATCHES);
      long[] subset = Arrays.copyOf(r.validPatches(), n * k);
      Reconstruction.Level lvl = Reconstruction.run(ae, subset, new double[] {0}, Reconstruction.Mode.MEAN,
          r.train().seed(), 0, root, null).levels().get(0);
      return Map.of("valid_token_accuracy", lvl.tokenAccuracy(), "valid_patch_accuracy", lvl.patchAccuracy());
    }

    @Override
    public Map<String, CheckpointFiles.FileWriter> modelFiles(Map<String, String> meta) {
      Map<String, CheckpointFiles.FileWriter> files = new LinkedHashMap<>();
      files.put(CONFIG, CheckpointFiles.bytes(r.model().toJson().toString().getBytes(StandardCharsets.UTF_8)));
      files.put(MODEL, f -> Safetensors.write(f, Weights.export(ae), meta));
      if (r.tokenizerJson() != null) {
        files.put(TOKENIZER, CheckpointFiles.bytes(r.tokenizerJson()));
      }
      return files;
    }

    @Override
    public void loadWeights(Path dir) {
      Weights.load(ae, Safetensors.read(dir.resolve(MODEL)));
    }
  }
}
