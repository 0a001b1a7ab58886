package org.calmworkbench.app.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.gui.StartupProject;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.eval.KnownWords;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.generate.ArGenerator;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.inspect.LatentCodec;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeEvaluation;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.LmTraining;
import picocli.CommandLine.Option;

/**
 * {@code calm demo}: the headless tour of CALM on a project (the bundled sample by default):
 * train an autoencoder, show how well it reconstructs under latent noise, then train a small CALM
 * language model. What the GUI shows in panels, printed as text.
 */
public final class DemoCommand implements Command {
  @Option(names = "--project", paramLabel = "DIR", description = "project folder")
  String projectFolder = SAMPLE;
  @Option(names = "--ae-seconds", paramLabel = "S", description = "autoencoder training time")
  Double aeSeconds = 120.0;
  @Option(names = "--lm-seconds", paramLabel = "S", description = "CALM training time (0 skips it)")
  Double lmSeconds = 120.0;
  @Option(names = "--fresh", description = "retrain even if the demo's checkpoints exist")
  boolean fresh;

  public static final String SAMPLE = "sample-projects/grammar-english";

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "headless tour on the sample project: train an autoencoder, test it under noise, train a small CALM, generate";
  }


  /** The trained runs a project may ship (the bundled sample does; scripts/make-sample-runs.sh makes them). */
  static final String SAMPLE_CALM = "sample-calm";
  static final String SAMPLE_AR = "sample-ar";
  /** What the first look generates from, at T = 0.5 with the exact sampler. */
  static final String FIRST_LOOK_PROMPT = "Once upon a time";
  static final int FIRST_LOOK_TOKENS = 24;

  /**
   * Step 0, when the project ships trained runs: what a trained CALM and AR baseline write, before
   * anything is trained here. Prints nothing for a project without them.
   */
  static void firstLook(Path runs, long seed, CliContext ctx) throws java.io.IOException {
    Path calm = runs.resolve(SAMPLE_CALM);
    Path ar = runs.resolve(SAMPLE_AR);
    if (!Files.isRegularFile(calm.resolve("config.json"))) {
      return;
    }
    ctx.out().println("0. A first look: the project's trained sample runs (" + runs.relativize(calm) + ", "
        + runs.relativize(ar) + "), temperature 0.5");
    List<Object> looks = new java.util.ArrayList<>();
    java.util.Optional<KnownWords> words = KnownWords.ofRun(calm);
    try (CalmCheckpoint ck = CalmCheckpoint.load(calm)) {
      CalmGenerator.Options o = CalmGenerator.Options.of(FIRST_LOOK_PROMPT).withMaxTokens(FIRST_LOOK_TOKENS)
          .withTemperature(0.5).withSeed(seed);
      CalmGenerator.Result g = CalmGenerator.run(ck, o, e -> {}, ctx.cancellation()::isCancelled);
      looks.add(firstLookLine(ctx, "CALM (K=" + ck.patchSize() + ")", o.prompt() + g.text(), g.steps(), words));
    }
    if (Files.isRegularFile(ar.resolve("config.json"))) {
      try (ArCheckpoint ck = ArCheckpoint.load(ar)) {
        ArGenerator.Options o = ArGenerator.Options.of(FIRST_LOOK_PROMPT).withMaxTokens(FIRST_LOOK_TOKENS)
            .withTemperature(0.5).withSeed(seed);
        ArGenerator.Result g = ArGenerator.run(ck, o, e -> {}, ctx.cancellation()::isCancelled);
        looks.add(firstLookLine(ctx, "AR baseline", o.prompt() + g.text(), g.steps(), words));
      }
    }
    ctx.put("first_look", looks);
    ctx.out().println("   (open them in the GUI's Generator, Inspector and Latent explorer; below, the demo trains its own)");
    ctx.out().println();
  }

  private static Map<String, Object> firstLookLine(CliContext ctx, String model, String text, int steps,
      java.util.Optional<KnownWords> words) {
    Double known = words.flatMap(w -> w.measured(text)).orElse(null);
    ctx.out().printf(Locale.ROOT, "   %-12s %s%n", model + ":", AeEvalCommand.quote(text.replace("\n", " ")));
    ctx.out().printf(Locale.ROOT, "   %-12s %d steps%s%n", "", steps,
        known == null ? "" : String.format(Locale.ROOT, ", %.0f%% of its words occur in the corpus", 100 * known));
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("model", model);
    m.put("text", text);
    m.put("steps", steps);
    m.put("known_word_fraction", known);
    return m;
  }

  /** The sample project, found from the working folder or the install folder the launcher passes. */
  public static Path resolveProject(String given) {
    Path p = Path.of(given);
    if (!p.isAbsolute() && !Files.isDirectory(p) && System.getProperty("calm.home") != null) {
      p = Path.of(System.getProperty("calm.home")).resolve(given);
    }
    if (!Files.isRegularFile(p.resolve(Project.FILE_NAME))) {
      throw new CalmException("no project at " + p.toAbsolutePath() + " (missing " + Project.FILE_NAME + ")");
    }
    return StartupProject.writable(p, System.getProperty("calm.home")); // the installed app's copy, not its install folder
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    Path folder = resolveProject(projectFolder);
    Project project = Project.load(folder.resolve(Project.FILE_NAME));
    Path runs = folder.resolve("runs");
    Path ae = runs.resolve("demo-ae");
    Path lm = runs.resolve("demo-lm");
    Cancellation stop = ctx.cancellation();
    ctx.out().println("CALM Workbench demo on project '" + project.name() + "' (" + folder.toAbsolutePath() + ")");
    ctx.out().println();
    firstLook(runs, project.seed(), ctx);

    ctx.out().println("1. Autoencoder: K=4 tokens <-> one latent vector (VAE: token masking, KL clamp, latent dropout)");
    if (fresh || !Files.exists(ae.resolve("trainer_state.json"))) {
      AtomicFiles.deleteTree(ae);
      TrainingOutput out = new TrainingOutput(ctx, "ae train", new String[] {"token_accuracy"}, new String[] {"valid_token_accuracy"});
      TrainingLoop.Result r = AeTraining.run(new AeTraining.Options(project.corpusPaths(), ae, null,
          AeTraining.DEFAULT_VOCAB_SIZE, "laptop", List.of(), null, aeSeconds, project.seed(), false), out, stop::isCancelled);
      out.finish(r, stop);
    } else {
      ctx.out().println("   reusing " + ae + " (pass --fresh to retrain)");
    }
    if (stop.isCancelled()) {
      return 130;
    }

    ctx.out().println();
    ctx.out().println("2. Robustness: Gaussian noise N(0, sigma^2) added to each held-out chunk's latent, decoded by argmax");
    AeEvaluation.Result ev = AeEvaluation.run(new AeEvaluation.Options(ae, project.corpusPaths(),
        new double[] {0, 0.1, 0.2, 0.3, 0.5, 0.8}, 5000, "valid", Reconstruction.Mode.MEAN, 1, 0), null);
    ctx.out().println("   sigma   token accuracy   chunk exact-match");
    for (Reconstruction.Level l : ev.report().levels()) {
      ctx.out().printf(Locale.ROOT, "   %5.2f   %14.4f   %17.4f%n", l.sigma(), l.tokenAccuracy(), l.patchAccuracy());
    }
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(ae)) {
      LatentCodec codec = new LatentCodec(ck.model(), ck.tokenizer(), ck.manager());
      String text = "The little robot found a red ball near the old tree.";
      for (double sigma : new double[] {0, 0.5, 1.0}) {
        LatentCodec.Decoded d = codec.reconstruct(text, sigma, 7);
        int wrong = java.util.Arrays.stream(d.mismatches()).sum();
        ctx.out().printf(Locale.ROOT, "   sigma %.1f: %-60s (%d tokens wrong)%n", sigma, AeEvalCommand.quote(d.text()), wrong);
      }
    }
    ctx.put("reconstruction", ev.report().levels());

    if (lmSeconds > 0 && !stop.isCancelled()) {
      ctx.out().println();
      ctx.out().println("3. CALM: a Transformer predicts the next latent vector with an energy-score head (K x fewer steps)");
      if (fresh || !Files.exists(lm.resolve("trainer_state.json"))) {
        AtomicFiles.deleteTree(lm);
        TrainingOutput out = new TrainingOutput(ctx, "lm train", new String[] {}, new String[] {"brier_lm"});
        TrainingLoop.Result r = LmTraining.run(new LmTraining.Options(ae, project.corpusPaths(), lm, "energy",
            InputMode.DISCRETE, "tiny", List.of("eval_positions=512"), null, lmSeconds, project.seed(), false), out, stop::isCancelled);
        out.finish(r, stop);
      } else {
        ctx.out().println("   reusing " + lm + " (pass --fresh to retrain)");
      }
    }
    if (lmSeconds > 0 && !stop.isCancelled() && Files.exists(lm.resolve("config.json"))) {
      ctx.out().println();
      ctx.out().println("4. Generation: one K-token chunk per step ('|' between steps), temperature without likelihoods");
      try (CalmCheckpoint ck = CalmCheckpoint.load(lm)) {
        List<Object> samples = new java.util.ArrayList<>();
        for (double t : new double[] {1.0, 0.5}) {
          CalmGenerator.Options o = CalmGenerator.Options.of("The little robot").withMaxTokens(24).withTemperature(t)
              .withMethod(t == 1.0 ? CalmGenerator.Method.EXACT : CalmGenerator.Method.BATCH, 64).withSeed(project.seed());
          StringBuilder shown = new StringBuilder(o.prompt()).append('|');
          CalmGenerator.Result g = CalmGenerator.run(ck, o, e -> shown.append(e.text()).append('|'), stop::isCancelled);
          ctx.out().printf(Locale.ROOT, "   T=%.1f (%s): %s%n", t, o.method().label(), shown.toString().replace("\n", " "));
          ctx.out().printf(Locale.ROOT, "          %d tokens in %d steps, %.0f tokens/s, %.1f sampler calls per step%n",
              g.tokens(), g.steps(), g.tokensPerSecond(), g.steps() == 0 ? 0.0 : (double) g.samplerCalls() / g.steps());
          samples.add(Map.of("temperature", t, "text", g.text(), "steps", g.steps(), "tokens", g.tokens()));
        }
        ctx.put("generated", samples);
      }
    }
    ctx.out().println();
    ctx.out().println("Next: ./calm ae eval --checkpoint " + ae + " --corpus <held-out text>   |   ./calm help");
    ctx.put("autoencoder", ae.toAbsolutePath());
    ctx.put("language_model", lm.toAbsolutePath());
    return 0;
  }

}
