package org.calmworkbench.app.gui.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/** The language-model checkpoints (CALM and AR baseline) in a project's {@code runs/} folder, newest first. */
public final class LmCheckpoints {
  private LmCheckpoints() {}

  /** CALM checkpoints (any head): config.json with a CALM model_type, and weights. */
  public static List<Checkpoints.Info> calm(Path projectFolder) {
    return ofType(projectFolder, ModelType::isCalm);
  }

  /** AR baseline checkpoints: config.json with model_type calm_ar, and weights. */
  public static List<Checkpoints.Info> ar(Path projectFolder) {
    return ofType(projectFolder, t -> t == ModelType.AR);
  }

  static List<Checkpoints.Info> ofType(Path projectFolder, Predicate<ModelType> modelType) {
    Path runs = projectFolder.resolve(Checkpoints.RUNS);
    List<Checkpoints.Info> out = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Checkpoints.Info info = info(d, modelType);
        if (info != null) {
          out.add(info);
        }
      }
    } catch (IOException e) {
      return out; // an unreadable runs folder lists as empty
    }
    out.sort(Comparator.comparing(Checkpoints.Info::modified).reversed());
    return out;
  }

  /** The checkpoint in {@code dir} if it is complete and of a type {@code modelType} accepts; null otherwise. */
  static Checkpoints.Info info(Path dir, Predicate<ModelType> modelType) {
    Path model = org.calmworkbench.backend.train.CheckpointWeights.find(dir).orElse(null); // official folders too
    if (model == null || !Files.isRegularFile(dir.resolve(TrainingLoop.CONFIG))) {
      return null;
    }
    try {
      if (!modelType.test(org.calmworkbench.backend.train.Checkpoints.modelType(dir))) {
        return null;
      }
      long step = -1;
      Path state = dir.resolve(TrainingLoop.STATE);
      if (Files.isRegularFile(state)) {
        step = TrainerState.readIfOurs(state).map(TrainerState::step).orElse(-1L); // a Trainer checkpoint-N: no step here
      }
      return new Checkpoints.Info(dir, step, Files.getLastModifiedTime(model));
    } catch (IOException | RuntimeException e) {
      return null; // half-written or foreign folder
    }
  }
}
