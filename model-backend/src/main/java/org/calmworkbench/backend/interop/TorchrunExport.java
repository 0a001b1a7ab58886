package org.calmworkbench.backend.interop;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.data.CorpusReader;
import org.calmworkbench.backend.data.CorpusSplit;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.ProgressListener;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.Checkpoints;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * {@code calm export torchrun}: a workbench CALM or autoencoder run as a folder the official CALM
 * repository trains as it is ({@code autoencoder/}, {@code calm/}, {@code tokenizer/},
 * {@code data/}, two torchrun scripts and a README). The workbench has no distributed trainer of
 * its own; this is how a run outgrows one machine.
 */
public final class TorchrunExport {
  private TorchrunExport() {}

  public static final String TRAIN_FILE = "train.jsonl";
  /** ".json", not ".jsonl": the official DataTrainingArguments accept only csv/json/txt for validation. */
  public static final String VALID_FILE = "valid.json";
  static final String AE_DIR = "autoencoder";
  static final String CALM_DIR = "calm";
  static final String TOKENIZER_DIR = "tokenizer";
  static final String DATA_DIR = "data";

  /** The official code's target samples per energy loss (n_y = 100 in modeling_energy.py). */
  static final int OFFICIAL_TARGET_SAMPLES = 100;

  /** safetensors metadata Hugging Face's from_pretrained requires ("pt", else it refuses the file). */
  static final Map<String, String> PT_METADATA = Map.of("format", "pt");

  /** @param corpus the text to train on; empty: the run's own corpus (its split.json) */
  public record Request(Path run, List<Path> corpus, Path out) {}

  /** What was written, and what the official code will do differently from the run. */
  public record Result(Path out, ModelType runType, long trainDocuments, long validDocuments, long trainChars,
      long validChars, String aeOverrides, String calmOverrides, List<String> warnings) {}

  public static Result run(Request request) throws IOException {
    Path run = request.run();
    ModelType type = Checkpoints.modelType(run);
    if (type == ModelType.AR) {
      throw new CalmException(run + " is an AR baseline run; export torchrun exports CALM and autoencoder runs"
          + " (the official train/train_ar.sh trains the baseline from scratch)");
    }
    Path out = request.out();
    requireEmpty(out);
    List<String> warnings = new ArrayList<>();
    String runName = run.toAbsolutePath().normalize().getFileName().toString();

    Path aeRun = type.isCalm() ? run.resolve(stringKey(Checkpoints.readConfig(run), "ae_path", CalmTrainer.AUTOENCODER_DIR))
        : run;
    if (!Files.isRegularFile(aeRun.resolve(TrainingLoop.CONFIG))) {
      throw new CalmException("the CALM run " + run + " has no autoencoder: " + aeRun.resolve(TrainingLoop.CONFIG)
          + " is missing (config.json \"ae_path\" names the folder)");
    }
    Path tokenizer = Files.isRegularFile(run.resolve("tokenizer.json")) ? run.resolve("tokenizer.json")
        : aeRun.resolve("tokenizer.json");
    HfTokenizerFolder.Roles roles = HfTokenizerFolder.write(tokenizer, out.resolve(TOKENIZER_DIR));

    // The autoencoder: config, weights, launch.
    AutoencoderConfig ae = AutoencoderConfig.read(aeRun.resolve(TrainingLoop.CONFIG));
    JsonObject aeOfficial = OfficialConfig.autoencoder(ae, roles);
    HfTokenizerFolder.writeJson(out.resolve(AE_DIR).resolve(TrainingLoop.CONFIG), aeOfficial);
    SafetensorsFile aeWeights = Safetensors.read(aeRun.resolve(TrainingLoop.MODEL));
    Safetensors.write(out.resolve(AE_DIR).resolve(TrainingLoop.MODEL), aeWeights.tensors(), PT_METADATA);
    TrainConfig aeTrain = trainConfig(aeRun, AePresets.get(AePresets.DEFAULT).train(), "autoencoder", warnings);
    String aeOverrides = OfficialConfig.overrides(aeOfficial, List.of("latent_size", "num_encoder_layers",
        "num_decoder_layers", "patch_size", "hidden_size", "intermediate_size", "rms_norm_eps", "ae_dropout",
        "kl_clamp", "kl_weight"));
    // The workbench's autoencoder batch is chunks of K tokens; the official one is sequences of block_size.
    long aeTokensPerStep = (long) aeTrain.batchSize() * ae.patchSize();
    int aeBlock = (int) Math.min(2048, aeTokensPerStep);
    aeBlock -= aeBlock % ae.patchSize();
    int aeSequences = (int) Math.max(1, (aeTokensPerStep + aeBlock - 1) / aeBlock);

    // The language model.
    CalmConfig calm;
    int contextChunks;
    TrainConfig calmTrain;
    if (type.isCalm()) {
      JsonObject json = Checkpoints.readConfig(run);
      calm = CalmConfig.read(json, run.resolve(TrainingLoop.CONFIG).toString());
      InputMode mode = InputMode.parse(stringKey(json, "input_mode", InputMode.DISCRETE.key()));
      if (mode != InputMode.DISCRETE) {
        throw new CalmException(run + ": input_mode \"" + mode.key() + "\" is a workbench ablation; the official code"
            + " feeds the previous chunk's tokens (discrete) only");
      }
      if (Files.exists(run.resolve("latent_scale.json"))) {
        throw new CalmException(run + ": standardize_latents is a workbench option the official code does not have"
            + " (the run has latent_scale.json)");
      }
      contextChunks = Checkpoints.contextChunks(run).orElse(LmPresets.get(LmPresets.DEFAULT).lm().contextChunks());
      calmTrain = trainConfig(run, LmPresets.get(LmPresets.DEFAULT).train(), "CALM", warnings);
    } else {
      LmPresets.Preset preset = LmPresets.get(LmPresets.DEFAULT);
      calm = preset.calmConfig(ae.vocabSize(), ae.patchSize(), ae.latentSize(), HeadType.ENERGY);
      contextChunks = preset.lm().contextChunks();
      calmTrain = preset.train();
      warnings.add("an autoencoder run: calm/ holds the config of the workbench's '" + preset.name()
          + "' CALM preset and no weights; train_calm.sh trains it from scratch");
    }
    if (calm.head() instanceof HeadConfig.Energy e && e.targetSamples() != OFFICIAL_TARGET_SAMPLES) {
      warnings.add("the official energy loss draws " + OFFICIAL_TARGET_SAMPLES + " target samples per chunk (the run: "
          + e.targetSamples() + ")");
    }
    if (calm.head().type() != HeadType.ENERGY) {
      warnings.add("the " + calm.head().type().key() + " head's settings (" + String.join(", ", calm.head().toMap().keySet())
          + ") are not official config fields; the official " + OfficialConfig.architecture(calm.head().type())
          + " uses its own");
    }
    JsonObject calmOfficial = OfficialConfig.calm(calm, contextChunks, roles, "../" + AE_DIR);
    HfTokenizerFolder.writeJson(out.resolve(CALM_DIR).resolve(TrainingLoop.CONFIG), calmOfficial);
    if (type.isCalm()) {
      Map<String, Tensor> tensors = new LinkedHashMap<>(Safetensors.read(run.resolve(TrainingLoop.MODEL)).tensors());
      officialAliases(tensors, aeWeights.tensors(), calm.head().type());
      Safetensors.write(out.resolve(CALM_DIR).resolve(TrainingLoop.MODEL), tensors, PT_METADATA);
    }
    String calmOverrides = OfficialConfig.overrides(calmOfficial, List.of("model_type", "latent_size",
        "num_mlp_layers", "patch_size", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "noise_size", "num_samples", "beta", "rms_norm_eps",
        "rope_theta", "max_position_embeddings"));

    // The data, split as the run split it (seed, fraction), by document.
    List<Path> corpus = request.corpus().isEmpty() ? DataSplit.corpusOf(run) : request.corpus();
    if (corpus.isEmpty()) {
      throw new CalmException(run + " records no corpus (no split.json); pass --corpus PATH");
    }
    DataSplit split = DataSplit.of(run);
    long[] counts = writeData(corpus, split, out.resolve(DATA_DIR));

    // The launches.
    long aeSteps = aeTrain.steps() > 0 ? aeTrain.steps() : stepsReached(aeRun, warnings);
    long calmSteps = calmTrain.steps() > 0 ? calmTrain.steps() : stepsReached(run, warnings);
    var aeLaunch = new TorchrunScripts.Launch("train.train_autoencoder", runName + "-autoencoder", AE_DIR, aeOverrides,
        aeBlock, aeSequences, aeTrain, aeSteps);
    var calmLaunch = new TorchrunScripts.Launch("train.train_calm", runName + "-calm", CALM_DIR, calmOverrides,
        contextChunks * calm.patchSize(), calmTrain.batchSize(), calmTrain, calmSteps);
    writeScript(out.resolve("train_autoencoder.sh"), TorchrunScripts.script(aeLaunch, runName));
    writeScript(out.resolve("train_calm.sh"), TorchrunScripts.script(calmLaunch, runName));
    AtomicFiles.writeString(out.resolve("README.md"),
        TorchrunScripts.readme(runName, type.isCalm() ? "CALM" : "autoencoder", type.isCalm(), warnings));
    return new Result(out, type, counts[0], counts[1], counts[2], counts[3], aeOverrides, calmOverrides,
        List.copyOf(warnings));
  }

  /**
   * Adds the names the official EnergyTransformer's state dict has besides the workbench's: the
   * frozen autoencoder under {@code ae_model.*} (from_pretrained would otherwise re-initialise it,
   * as weights missing from the file) and the energy head again under {@code generative_head.*}
   * (one module, two attribute names).
   */
  static void officialAliases(Map<String, Tensor> calm, Map<String, Tensor> ae, HeadType head) {
    ae.forEach((name, t) -> calm.put("ae_model." + name, new Tensor("ae_model." + name, t.shape(), t.data())));
    if (head == HeadType.ENERGY) {
      for (Map.Entry<String, Tensor> e : new ArrayList<>(calm.entrySet())) {
        if (e.getKey().startsWith("mlp_generator.")) {
          String alias = "generative_head." + e.getKey().substring("mlp_generator.".length());
          calm.put(alias, new Tensor(alias, e.getValue().shape(), e.getValue().data()));
        }
      }
    }
  }

  /** The run's training settings from its trainer_state.json, else {@code fallback} (said in a warning). */
  private static TrainConfig trainConfig(Path run, TrainConfig fallback, String what, List<String> warnings) {
    Path state = run.resolve(TrainingLoop.STATE);
    if (!Files.isRegularFile(state)) {
      warnings.add("the " + what + " run " + run.getFileName() + " has no trainer_state.json (a compacted run):"
          + " its optimiser settings are the workbench's default preset's");
      return fallback;
    }
    JsonObject saved = TrainerState.read(state).trainConfig();
    return fallback.with(Settings.readJson(saved, TrainConfig.SETTINGS, state.toString()));
  }

  /** Steps of a time-limited run: the step it reached. */
  private static long stepsReached(Path run, List<String> warnings) {
    Path state = run.resolve(TrainingLoop.STATE);
    long steps = Files.isRegularFile(state) ? TrainerState.read(state).step() : 1000;
    warnings.add(run.getFileName() + " was trained for a time, not a number of steps: MAX_STEPS is " + steps);
    return Math.max(1, steps);
  }

  /**
   * Writes {@code data/train.jsonl} and {@code data/valid.json}, one {"text": ...} per document;
   * documents are held out by {@link CorpusSplit#validationUnits} on their lengths in characters
   * with the run's seed and fraction (the last documents when that draw is not fair), so the
   * cluster validates on text the run's training did not see when the corpus is the same.
   *
   * @return train documents, validation documents, train chars, validation chars
   */
  static long[] writeData(List<Path> corpus, DataSplit split, Path dir) throws IOException {
    CorpusReader reader = CorpusReader.of(corpus);
    List<Long> lengths = new ArrayList<>();
    reader.read(d -> lengths.add((long) d.text().length()), ProgressListener.NONE);
    if (lengths.size() < 2) {
      throw new CalmException("the corpus " + corpus + " has " + lengths.size() + " document(s); the official scripts"
          + " need training and validation documents: pass a corpus of several documents");
    }
    long[] len = lengths.stream().mapToLong(Long::longValue).toArray();
    boolean[] valid = CorpusSplit.validationUnits(len, split.seed(), split.validationFraction())
        .orElseGet(() -> lastUnits(len, split.validationFraction()));
    long[] counts = new long[4];
    for (int pass = 0; pass < 2; pass++) {
      boolean wantValid = pass == 1;
      Path file = dir.resolve(wantValid ? VALID_FILE : TRAIN_FILE);
      AtomicFiles.write(file, stream -> {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        int[] index = {0};
        reader.read(d -> {
          int i = index[0]++;
          if (valid[i] == wantValid) {
            JsonObject line = new JsonObject();
            line.add("text", new JsonPrimitive(d.text()));
            w.write(line.toString());
            w.write('\n');
            counts[wantValid ? 1 : 0]++;
            counts[wantValid ? 3 : 2] += d.text().length();
          }
        }, ProgressListener.NONE);
        w.flush();
      });
    }
    return counts;
  }

  /** The trailing units holding about {@code fraction} of the characters, at least one, never all. */
  private static boolean[] lastUnits(long[] lengths, double fraction) {
    long total = 0;
    for (long l : lengths) {
      total += l;
    }
    boolean[] valid = new boolean[lengths.length];
    long held = 0;
    for (int i = lengths.length - 1; i > 0 && (held == 0 || held < fraction * total); i--) {
      valid[i] = true;
      held += lengths[i];
    }
    return valid;
  }

  private static void writeScript(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): run it with "bash train_calm.sh"
    }
  }

  private static void requireEmpty(Path out) throws IOException {
    if (Files.isRegularFile(out)) {
      throw new CalmException(out + " is a file; --out must name a new or empty folder");
    }
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new CalmException(out + " is not empty; export torchrun writes into a new or empty folder");
        }
      }
    }
    Files.createDirectories(out);
  }

  private static String stringKey(JsonObject o, String key, String fallback) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : fallback;
  }
}
