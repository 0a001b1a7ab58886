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
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.train.LmSettings;
import org.calmworkbench.backend.train.TrainConfig;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * {@code calm lm train} end to end: the frozen autoencoder (and its tokenizer), the tokenized
 * corpus, settings from preset + overrides (the model with its head: {@link
 * LmPresets.Preset#calmConfig}; another head's keys are refused), then {@link CalmTrainer}.
 */
public final class LmTraining {
  private LmTraining() {}

  public record Options(
      Path autoencoder,
      List<Path> corpus,
      Path out,
      String head, // energy, flow or diffusion; null: energy (a new run) or the checkpoint's (--resume)
      InputMode input,
      String preset,
      List<String> sets,
      Integer steps,
      Double timeLimit,
      Long seed,
      boolean resume,
      Path initBackbone) { // an AR baseline checkpoint whose transformer.* weights start the backbone (an experiment); null: random

    public Options(Path autoencoder, List<Path> corpus, Path out, String head, InputMode input, String preset,
        List<String> sets, Integer steps, Double timeLimit, Long seed, boolean resume) {
      this(autoencoder, corpus, out, head, input, preset, sets, steps, timeLimit, seed, resume, null);
    }
  }

  /**
   * Keys {@code --set} accepts with any head: model settings but the ones taken from the
   * autoencoder, training, LM and head settings. {@link #settableKeys(HeadType)} narrows them.
   */
  public static List<Setting> settableKeys() {
    List<Setting> all = new ArrayList<>();
    for (Setting s : CalmConfig.SETTINGS) { // the heads' settings among them
      if (!List.of("vocab_size", "patch_size", "latent_size").contains(s.key())) {
        all.add(s);
      }
    }
    all.addAll(TrainConfig.SETTINGS);
    all.addAll(LmSettings.SETTINGS);
    all.addAll(DataSplit.SETTINGS);
    return all;
  }

  /** Keys {@code --set} accepts with {@code head}: {@link #settableKeys()} without other heads' keys. */
  public static List<Setting> settableKeys(HeadType head) {
    List<Setting> out = new ArrayList<>();
    for (Setting s : settableKeys()) {
      List<HeadType> users = HeadConfig.usersOf(s.key());
      if (users.isEmpty() || users.contains(head)) {
        out.add(s);
      }
    }
    return out;
  }

  static Map<String, Number> overrides(List<String> sets, List<Setting> keys, Integer steps, Double timeLimit, Long seed) {
    List<String> normalized = sets.stream().map(HeadConfig::normalizeAssignment).toList();
    Map<String, Number> o = new LinkedHashMap<>(Settings.parseOverrides(normalized, keys));
    Map<String, Setting> train = Settings.index(TrainConfig.SETTINGS);
    if (steps != null) {
      o.put("steps", train.get("steps").check(steps, "--steps"));
    }
    if (timeLimit != null) {
      o.put("time_limit", train.get("time_limit").check(timeLimit, "--time-limit"));
    }
    if (seed != null) {
      o.put("seed", train.get("seed").check(seed, "--seed"));
    }
    return o;
  }

  public static TrainingLoop.Result run(Options o, AeTraining.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    return RunFolder.train(o.out(), "lm train", listener, () -> runLocked(o, listener, control));
  }

  private static TrainingLoop.Result runLocked(Options o, AeTraining.Listener listener, TrainControl control)
      throws IOException, InterruptedException {
    HeadType requested = o.head() == null ? null : HeadType.parse(o.head(), "--head");
    if (o.corpus().isEmpty()) {
      throw new CalmException("no corpus given: pass --corpus PATH...");
    }
    Map<String, Number> ov = overrides(o.sets(), settableKeys(), o.steps(), o.timeLimit(), o.seed());
    if (!o.resume()) {
      HeadConfig.checkKeys(requested == null ? HeadType.ENERGY : requested, ov.keySet(), "--set"); // before any loading
    }
    CorpusReader.of(o.corpus());
    Path aeDir = o.resume() ? o.out().resolve(CalmTrainer.AUTOENCODER_DIR) : o.autoencoder();
    if (aeDir == null) {
      throw new CalmException("pass --autoencoder DIR (a checkpoint from 'calm ae train')");
    }
    CalmConfig model;
    InputMode input;
    TrainConfig train;
    LmSettings lm;
    byte[] tokJson;
    try (AutoencoderCheckpoint ae = AutoencoderCheckpoint.load(aeDir)) {
      Path tokFile = aeDir.resolve(AutoencoderTrainer.TOKENIZER);
      if (!Files.isRegularFile(tokFile)) {
        throw new CalmException("the autoencoder " + aeDir + " has no tokenizer.json; train it with 'calm ae train'");
      }
      tokJson = Files.readAllBytes(tokFile);
      if (o.resume()) {
        Path state = o.out().resolve(TrainingLoop.STATE);
        if (!Files.isRegularFile(state)) {
          throw new CalmException("--resume: " + o.out() + " holds no checkpoint to resume (missing " + state.getFileName() + ")");
        }
        Path configFile = o.out().resolve(TrainingLoop.CONFIG);
        com.google.gson.JsonObject savedJson = JsonFiles.readObject(configFile);
        model = CalmConfig.read(savedJson, configFile.toString());
        input = InputMode.parse(savedJson.get("input_mode").getAsString());
        HeadConfig head = model.head();
        if (requested != null && requested != head.type()) {
          throw new CalmException("--resume: the checkpoint in " + o.out() + " has a " + head.type().key()
              + " head, not " + requested.key() + "; drop --head or pass --head " + head.type().key());
        }
        HeadConfig.checkKeys(head.type(), ov.keySet(), "--set");
        if (ov.keySet().stream().anyMatch(k -> head.toMap().containsKey(k))) {
          throw new CalmException("--resume cannot change the head's settings; drop them from --set (edit "
              + configFile + " to sample with other flow_steps or diffusion_steps after training)");
        }
        Map<String, Number> saved = Settings.readJson(TrainerState.read(state).trainConfig(), TrainConfig.SETTINGS, state.toString());
        train = TrainConfig.fromMap(saved).with(ov);
        lm = LmPresets.get(o.preset() == null ? LmPresets.DEFAULT : o.preset()).lm().with(ov);
        if (ov.keySet().stream().anyMatch(k -> model.toMap().containsKey(k))) {
          throw new CalmException("--resume cannot change the architecture; drop the model settings from --set");
        }
      } else {
        HeadType type = requested == null ? HeadType.ENERGY : requested;
        HeadConfig.checkKeys(type, ov.keySet(), "--set");
        LmPresets.Preset preset = LmPresets.get(o.preset() == null ? LmPresets.DEFAULT : o.preset());
        model = preset.calmConfig(ae.config().vocabSize(), ae.config().patchSize(), ae.config().latentSize(), type)
            .with(ov);
        input = o.input();
        train = preset.train().with(ov);
        lm = preset.lm().with(ov);
      }
      CalmTrainer.checkCompatible(model, ae);
      DataSplit split = (o.resume() ? DataSplit.of(o.out()) : DataSplit.DEFAULT).with(ov);
      TokenizedCorpus corpus = Corpora.forTraining(o.corpus(), ae.tokenizer(), tokJson, split, o.out(), listener);
      corpus.requireAtLeast((lm.contextChunks() + 1) * model.patchSize(), model.patchSize());
      if (o.initBackbone() != null && o.resume()) {
        throw new CalmException("--init-backbone starts a new run; a resumed run keeps its own weights (drop --init-backbone)");
      }
      CalmTrainer.Request req = new CalmTrainer.Request(model, input, train, lm, aeDir, corpus.train(), corpus.validation(),
          o.out(), tokJson, o.resume(), o.initBackbone());
      return CalmTrainer.run(req, listener, control);
    }
  }
}
