package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.data.CorpusReader;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.Checkpoints;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.LmSettings;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * {@code calm ar train} end to end: the tokenizer (the one the CALM run uses, for a fair
 * comparison), the tokenized corpus with the same split seed as every other workflow, settings from
 * an LM preset (its backbone part) + overrides, then {@link ArTrainer}. The AR context is
 * context_chunks * 4 tokens; see {@link ArTrainer} for why.
 */
public final class ArTraining {
  private ArTraining() {}

  public record Options(
      Path tokenizer, // a tokenizer.json or its folder (not needed with --resume)
      List<Path> corpus,
      Path out,
      String preset,
      List<String> sets, // key=value overrides of model, training and LM settings
      Integer steps,
      Double timeLimit,
      Long seed,
      boolean resume) {}

  /**
   * Keys {@code --set} accepts: the backbone settings (but vocab_size, from the tokenizer), training
   * settings, and context_chunks / eval_positions (target_samples is CALM's energy loss only).
   */
  public static List<Setting> settableKeys() {
    List<Setting> all = new ArrayList<>();
    for (Setting s : ArConfig.SETTINGS) {
      if (!s.key().equals("vocab_size")) {
        all.add(s);
      }
    }
    all.addAll(TrainConfig.SETTINGS);
    for (Setting s : LmSettings.SETTINGS) {
      if (!s.key().equals("target_samples") && !s.key().equals("standardize_latents")) {
        all.add(s);
      }
    }
    all.addAll(DataSplit.SETTINGS);
    return all;
  }

  public static TrainingLoop.Result run(Options o, AeTraining.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    return RunFolder.train(o.out(), "ar train", listener, () -> runLocked(o, listener, control));
  }

  private static TrainingLoop.Result runLocked(Options o, AeTraining.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    if (o.corpus().isEmpty()) {
      throw new CalmException("no corpus given: pass --corpus PATH...");
    }
    Map<String, Number> ov = LmTraining.overrides(o.sets(), settableKeys(), o.steps(), o.timeLimit(), o.seed());
    CorpusReader.of(o.corpus()); // fails fast, naming a missing path
    LmPresets.Preset preset = LmPresets.get(o.preset() == null ? LmPresets.DEFAULT : o.preset());

    ArConfig model;
    TrainConfig train;
    LmSettings lm;
    Path tokFile;
    if (o.resume()) {
      Path state = o.out().resolve(TrainingLoop.STATE);
      tokFile = o.out().resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(state) || !Files.isRegularFile(tokFile)) {
        throw new CalmException("--resume: " + o.out() + " holds no checkpoint to resume (missing "
            + (Files.isRegularFile(state) ? tokFile.getFileName() : state.getFileName()) + ")");
      }
      if (o.tokenizer() != null
          && !Arrays.equals(Files.readAllBytes(Tokenizers.resolve(o.tokenizer())), Files.readAllBytes(tokFile))) {
        throw new CalmException("--resume: the tokenizer " + o.tokenizer() + " differs from the checkpoint's " + tokFile
            + "; drop --tokenizer to resume with the checkpoint's own");
      }
      model = ArConfig.read(o.out().resolve(TrainingLoop.CONFIG));
      if (ov.keySet().stream().anyMatch(k -> model.toMap().containsKey(k))) {
        throw new CalmException("--resume cannot change the architecture; drop the model settings from --set");
      }
      Map<String, Number> saved = Settings.readJson(TrainerState.read(state).trainConfig(), TrainConfig.SETTINGS, state.toString());
      train = TrainConfig.fromMap(saved).with(ov);
      // The context the run was started with, unless overridden again.
      Map<String, Number> context = new LinkedHashMap<>();
      Checkpoints.contextChunks(o.out()).ifPresent(c -> context.put("context_chunks", c));
      lm = preset.lm().with(context).with(ov);
    } else {
      if (o.tokenizer() == null) {
        throw new CalmException("pass --tokenizer DIR (the tokenizer.json of the CALM run to compare with, e.g. its"
            + " autoencoder folder)");
      }
      tokFile = Tokenizers.resolve(o.tokenizer());
      model = null;
      train = preset.train().with(ov);
      lm = preset.lm().with(ov);
    }
    byte[] tokJson = Files.readAllBytes(tokFile);
    Tokenizer tokenizer = Tokenizers.load(tokFile);
    try {
      ArConfig config = model != null ? model : fromPreset(preset, tokenizer.vocabSize()).with(ov);
      if (tokenizer.vocabSize() > config.vocabSize()) {
        throw new CalmException(tokFile + " has " + tokenizer.vocabSize() + " tokens but the model's vocab_size is "
            + config.vocabSize());
      }
      DataSplit split = (o.resume() ? DataSplit.of(o.out()) : DataSplit.DEFAULT).with(ov);
      TokenizedCorpus corpus = Corpora.forTraining(o.corpus(), tokenizer, tokJson, split, o.out(), listener);
      corpus.requireAtLeast(ArTrainer.windowTokens(lm), ArTrainer.REFERENCE_PATCH_SIZE);
      ArTrainer.Request req = new ArTrainer.Request(config, train, lm, corpus.train(), corpus.validation(), o.out(),
          tokJson, o.resume());
      return ArTrainer.run(req, listener, control);
    } finally {
      if (tokenizer instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // native tokenizer memory; nothing useful to do on failure
        }
      }
    }
  }

  /** The backbone part of an LM preset with the tokenizer's vocabulary. */
  public static ArConfig fromPreset(LmPresets.Preset preset, int vocabSize) {
    Map<String, Number> m = new LinkedHashMap<>(preset.model());
    m.put("vocab_size", vocabSize);
    return ArConfig.fromMap(m, "preset " + preset.name());
  }
}
