package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.data.CorpusReader;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.tokenizer.BpeTrainer;
import org.calmworkbench.backend.tokenizer.ByteLevelBpeTokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.PatchSampler;
import org.calmworkbench.backend.train.RunLock;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.train.TrainerState;

/**
 * {@code calm ae train} end to end: tokenizer (given, or trained on the corpus), tokenized and
 * cached corpus, settings from preset + overrides, then {@link AutoencoderTrainer}. The GUI calls
 * the same entry point.
 */
public final class AeTraining {
  private AeTraining() {}

  /** Default vocabulary when the tokenizer is trained here. */
  public static final int DEFAULT_VOCAB_SIZE = 1024;

  /** Most text (in chars) read to train a tokenizer; the rest of a big corpus is not needed for BPE. */
  static final long TOKENIZER_SAMPLE_CHARS = 50_000_000;

  /** Held-out chunks kept for the accuracy checks during training. */
  static final int VALID_CHUNKS = 8192;

  /** The tokenizer stage's one setting (project.json {@code presets.tokenizer}, {@code --vocab-size}). */
  public static final List<Setting> TOKENIZER_SETTINGS = List.of(Setting.intSetting("vocab_size", BpeTrainer.MIN_VOCAB_SIZE,
      1 << 20, "Vocabulary of the byte-level BPE tokenizer trained on the corpus, including 2 special tokens and 256 bytes."));

  private static final Map<String, Setting> TRAIN_KEYS = Settings.index(TrainConfig.SETTINGS);

  public record Options(
      List<Path> corpus,
      Path out,
      Path tokenizer, // null: train a byte-level BPE of vocabSize on the corpus
      int vocabSize,
      String preset,
      List<String> sets, // key=value overrides of model and training settings
      Integer steps,
      Double timeLimit,
      Long seed,
      boolean resume) {}

  /** Stage messages before training starts (tokenizer, tokenizing) on top of training progress. */
  public interface Listener extends TrainingLoop.Listener {
    default void onWarning(String warning) {}

    /** The realised train/validation split, once the corpus is tokenized. */
    default void onSplit(TokenizedCorpus.Split split) {}
  }

  /**
   * The vocabulary of a tokenizer trained for a run, most specific wins: {@code given} ({@code
   * --vocab-size}), else the project's {@code presets.tokenizer.vocab_size}, else {@link
   * #DEFAULT_VOCAB_SIZE}.
   *
   * @param project null without a project
   */
  public static int vocabSize(Project project, Integer given) {
    return StageSettings.builtIn(null)
        .withProject(project, "tokenizer", TOKENIZER_SETTINGS, java.util.Set.of())
        .withCommandLine(null, given == null ? List.of() : List.of("vocab_size=" + given))
        .values(TOKENIZER_SETTINGS).getOrDefault("vocab_size", DEFAULT_VOCAB_SIZE).intValue();
  }

  /** Every key {@code --set} accepts: model settings (but vocab_size) and training settings. */
  public static List<Setting> settableKeys() {
    List<Setting> all = new ArrayList<>();
    for (Setting s : AutoencoderConfig.SETTINGS) {
      if (!s.key().equals("vocab_size")) {
        all.add(s);
      }
    }
    all.addAll(TrainConfig.SETTINGS);
    all.addAll(DataSplit.SETTINGS);
    return all;
  }

  public static TrainingLoop.Result run(Options o, Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    return RunFolder.train(o.out(), "ae train", listener, () -> runLocked(o, listener, control));
  }

  private static TrainingLoop.Result runLocked(Options o, Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    if (o.corpus().isEmpty()) {
      throw new CalmException("no corpus given: pass --corpus PATH...");
    }
    Map<String, Number> overrides = new LinkedHashMap<>(Settings.parseOverrides(o.sets(), settableKeys()));
    if (o.steps() != null) {
      overrides.put("steps", TRAIN_KEYS.get("steps").check(o.steps(), "--steps"));
    }
    if (o.timeLimit() != null) {
      overrides.put("time_limit", TRAIN_KEYS.get("time_limit").check(o.timeLimit(), "--time-limit"));
    }
    if (o.seed() != null) {
      overrides.put("seed", TRAIN_KEYS.get("seed").check(o.seed(), "--seed"));
    }
    CorpusReader.of(o.corpus()); // fails fast, naming a missing path

    Tokenizer tokenizer;
    byte[] tokenizerJson;
    AutoencoderConfig model;
    TrainConfig train;
    if (o.resume()) {
      Path tokFile = o.out().resolve(AutoencoderTrainer.TOKENIZER);
      Path state = o.out().resolve(AutoencoderTrainer.STATE);
      if (!Files.isRegularFile(state) || !Files.isRegularFile(tokFile)) {
        throw new CalmException("--resume: " + o.out() + " holds no checkpoint to resume (missing " + state.getFileName() + ")");
      }
      tokenizer = Tokenizers.load(tokFile);
      tokenizerJson = Files.readAllBytes(tokFile);
      model = AutoencoderConfig.read(o.out().resolve(AutoencoderTrainer.CONFIG));
      Map<String, Number> saved = Settings.readJson(TrainerState.read(state).trainConfig(), TrainConfig.SETTINGS, state.toString());
      train = TrainConfig.fromMap(saved).with(overrides);
      if (overrides.keySet().stream().anyMatch(k -> model.toMap().containsKey(k))) {
        throw new CalmException("--resume cannot change the architecture; drop the model settings from --set");
      }
    } else {
      AePresets.Preset preset = AePresets.get(o.preset() == null ? AePresets.DEFAULT : o.preset());
      if (o.tokenizer() != null) {
        Path file = Tokenizers.resolve(o.tokenizer());
        tokenizer = Tokenizers.load(file);
        tokenizerJson = Files.readAllBytes(file);
      } else {
        listener.onStage("training a " + o.vocabSize() + "-token byte-level BPE tokenizer on the corpus", 0);
        ByteLevelBpeTokenizer bpe = trainTokenizer(o.corpus(), o.vocabSize());
        Path tmp = Files.createTempFile("tokenizer", ".json");
        try {
          bpe.save(tmp);
          tokenizerJson = Files.readAllBytes(tmp);
        } finally {
          Files.deleteIfExists(tmp);
        }
        tokenizer = bpe;
      }
      model = preset.modelConfig(tokenizer.vocabSize()).with(overrides);
      train = preset.train().with(overrides);
    }
    DataSplit split = o.resume() ? DataSplit.of(o.out()).with(overrides) : DataSplit.DEFAULT.with(overrides);
    TokenizedCorpus corpus = Corpora.forTraining(o.corpus(), tokenizer, tokenizerJson, split, o.out(), listener);
    corpus.requireAtLeast(model.patchSize(), model.patchSize());
    long[] valid = Corpora.leadingChunks(corpus.validation(), model.patchSize(), VALID_CHUNKS);
    AutoencoderTrainer.Request request = new AutoencoderTrainer.Request(model, train, PatchSampler.uniform(corpus.train()),
        valid, o.out(), tokenizerJson, o.resume());
    return AutoencoderTrainer.run(request, listener, control);
  }

  /** Trains BPE on (at most {@link #TOKENIZER_SAMPLE_CHARS} of) the corpus. */
  public static ByteLevelBpeTokenizer trainTokenizer(List<Path> corpus, int vocabSize) throws IOException {
    List<String> docs = new ArrayList<>();
    long[] chars = {0};
    try {
      CorpusReader.of(corpus).read(d -> {
        if (chars[0] >= TOKENIZER_SAMPLE_CHARS) {
          throw new StopReading();
        }
        docs.add(d.text());
        chars[0] += d.text().length();
      }, (a, b) -> {});
    } catch (StopReading enough) {
      // the sample is large enough
    }
    if (docs.isEmpty()) {
      throw new CalmException("the corpus " + corpus + " has no text to train a tokenizer on");
    }
    return BpeTrainer.train(docs, vocabSize);
  }

  private static final class StopReading extends RuntimeException {
    StopReading() {
      super(null, null, false, false);
    }
  }
}
