package org.calmworkbench.app.gui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.app.gui.experiments.ExperimentFiles;
import org.calmworkbench.backend.project.Project;

/**
 * A {@link TinyProject} with one toy experiment file, {@code experiments/toy.json}: K = 2 and the AR
 * baseline, one seed, models of a few thousand parameters trained a handful of steps (the whole grid
 * takes seconds on a CPU).
 */
public final class TinyExperiment {
  private TinyExperiment() {}

  public static final String NAME = "toy";
  public static final String FILE = NAME + ".json";

  /** The file's text with {@code budget.steps} = {@code lmSteps}. */
  public static String json(long lmSteps) {
    return """
        {
          "name": "toy",
          "description": "a toy grid for the GUI tests",
          "corpus": "../corpus/train.jsonl",
          "tokenizer": {"vocab_size": 300},
          "autoencoder": {"preset": "tiny", "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 32}},
          "lm": {"preset": "tiny", "context_tokens": 16,
                 "set": {"hidden_size": 32, "intermediate_size": 64, "batch_size": 4, "target_samples": 8}},
          "grid": {"patch_sizes": [2], "seeds": [1], "include_ar_baseline": true},
          "budget": {"steps": %d, "autoencoder_steps": 8},
          "evaluation": {"positions": 8, "generation_tokens": 8}
        }
        """.formatted(lmSteps);
  }

  /** A new project in {@code dir} holding experiments/toy.json (LM budget {@code lmSteps} steps). */
  public static Project create(Path dir, long lmSteps) throws IOException {
    Project p = TinyProject.create(dir);
    Path folder = dir.resolve(ExperimentFiles.FOLDER);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(FILE), json(lmSteps));
    return p;
  }
}
