package org.calmworkbench.app.gui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.train.TrainControl;
import org.calmworkbench.backend.workflow.ArTraining;
import org.calmworkbench.backend.workflow.LmTraining;

/**
 * A {@link TinyProject} that also holds a tiny CALM language model (runs/lm-tiny, on the project's
 * tiny autoencoder) and a tiny AR baseline (runs/ar-tiny), trained once per JVM through the same
 * workflows as {@code calm lm train} and {@code calm ar train}, then copied into each project.
 */
public final class TinyLanguageModels {
  private TinyLanguageModels() {}

  public static final String CALM = "lm-tiny";
  public static final String AR = "ar-tiny";
  private static Path base;

  /** A project in {@code dir} with runs/ae-tiny, runs/lm-tiny and runs/ar-tiny. */
  public static synchronized Project create(Path dir) throws Exception {
    if (base == null) {
      Path b = Files.createTempDirectory("calm-gui-lm");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TinyProject.delete(b)));
      Project p = TinyProject.createWithCheckpoint(b.resolve("project"));
      Path ae = p.folder().resolve("runs").resolve(TinyProject.CHECKPOINT);
      LmTraining.run(new LmTraining.Options(ae, p.corpusPaths(), b.resolve(CALM), "energy", InputMode.DISCRETE, "tiny",
          List.of("eval_positions=0", "batch_size=8"), 12, null, 1L, false), pr -> {}, TrainControl.NONE);
      ArTraining.run(new ArTraining.Options(ae, p.corpusPaths(), b.resolve(AR), "tiny", List.of("eval_positions=0", "batch_size=8"), 8,
          null, 1L, false), pr -> {}, TrainControl.NONE);
      base = b;
    }
    Project p = TinyProject.createWithCheckpoint(dir);
    copyTree(base.resolve(CALM), dir.resolve("runs").resolve(CALM));
    copyTree(base.resolve(AR), dir.resolve("runs").resolve(AR));
    return p;
  }

  static void copyTree(Path from, Path to) {
    try {
      AtomicFiles.copyTree(from, to, rel -> false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
