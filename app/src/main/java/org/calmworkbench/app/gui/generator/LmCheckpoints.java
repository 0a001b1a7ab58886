package org.calmworkbench.app.gui.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/** The language-model checkpoints (CALM and AR baseline) in a project's {@code runs/} folder, newest first. */
public final class LmCheckpoints {
  private LmCheckpoints() {}

  /** CALM checkpoints: config.json with model_type {@value CalmCheckpoint#MODEL_TYPE} and weights. */
  public static List<Checkpoints.Info> calm(Path projectFolder) {
    return ofType(projectFolder, CalmCheckpoint.MODEL_TYPE);
  }

  /** AR baseline checkpoints: config.json with model_type {@value ArConfig#MODEL_TYPE} and weights. */
  public static List<Checkpoints.Info> ar(Path projectFolder) {
    return ofType(projectFolder, ArConfig.MODEL_TYPE);
  }

  static List<Checkpoints.Info> ofType(Path projectFolder, String modelType) {
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

  /** The checkpoint in {@code dir} if it is complete and of {@code modelType}; null otherwise. */
  static Checkpoints.Info info(Path dir, String modelType) {
    Path model = dir.resolve(TrainingLoop.MODEL);
    if (!Files.isRegularFile(model) || !Files.isRegularFile(dir.resolve(TrainingLoop.CONFIG))) {
      return null;
    }
    try {
      if (!modelType.equals(org.calmworkbench.backend.train.Checkpoints.modelType(dir))) {
        return null;
      }
      long step = -1;
      Path state = dir.resolve(TrainingLoop.STATE);
      if (Files.isRegularFile(state)) {
        step = TrainerState.read(state).step();
      }
      return new Checkpoints.Info(dir, step, Files.getLastModifiedTime(model));
    } catch (IOException | RuntimeException e) {
      return null; // half-written or foreign folder
    }
  }
}
