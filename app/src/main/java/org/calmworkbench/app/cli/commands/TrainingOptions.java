package org.calmworkbench.app.cli.commands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.StageSettings;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options the training commands ({@code ae train}, {@code lm train}, {@code ar train}) share, {@code --project} among them. */
final class TrainingOptions {
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "text files, folders or JSONL files"
      + " (default: the project's corpus)")
  List<Path> corpus;

  @Option(names = "--out", paramLabel = "DIR", description = "checkpoint folder (default with --project: a new"
      + " PROJECT/runs/KIND-yyyyMMdd-HHmmss)")
  Path out;

  @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "override a setting; the keys are"
      + " listed above (repeatable; wins over the project's presets)")
  List<String> set;

  @Option(names = "--eval-every", paramLabel = "N", description = "steps between held-out evaluations (same as --set eval_every=N)")
  Integer evalEvery;

  @Option(names = "--steps", paramLabel = "N", description = "training steps (overrides the preset)")
  Integer steps;

  @Option(names = "--time-limit", paramLabel = "SECONDS", description = "stop after this much training time")
  Double timeLimit;

  @Option(names = "--seed", paramLabel = "N", description = "random seed (default: the project's seed, else the preset's)")
  Long seed;

  @Option(names = "--resume", description = "continue the checkpoint in --out")
  boolean resume;

  @Mixin
  ProjectOption project;

  /** The project whose settings apply: none with --resume, where the checkpoint's own settings stand. */
  Project settingsProject() {
    return resume ? null : project.project();
  }

  /**
   * The stage's settings, most specific wins: {@code builtInPreset}, then the project's layer, then
   * {@code --preset} ({@code preset}, null when not given), {@code --set} and {@code --eval-every}.
   */
  StageSettings settings(String builtInPreset, String stage, List<Setting> settable, Set<String> choiceKeys, String preset) {
    List<String> sets = new ArrayList<>(set == null ? List.of() : set);
    if (evalEvery != null) {
      sets.add("eval_every=" + Ranges.check("eval-every", evalEvery, 1, Integer.MAX_VALUE));
    }
    return StageSettings.builtIn(builtInPreset)
        .withProject(settingsProject(), stage, settable, choiceKeys)
        .withCommandLine(preset, sets);
  }

  /** {@code --corpus}, else the project's. */
  List<Path> corpus() {
    return project.corpus(corpus);
  }

  /** {@code --out}, else a new run folder of {@code kind} in the project. */
  Path out(String kind) throws IOException {
    return project.out(out, kind, resume);
  }

  /** {@code --steps}, range-checked; null when not given. */
  Integer steps() {
    return Ranges.check("steps", steps, 0, Integer.MAX_VALUE);
  }
}
