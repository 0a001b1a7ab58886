package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Set;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.ArTraining;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm ar train}: the autoregressive Transformer baseline; Ctrl-C saves a checkpoint that --resume continues. */
public final class ArTrainCommand implements Command {
  @Option(names = "--tokenizer", paramLabel = "DIR", description = "a tokenizer.json or a folder holding one (not needed with --resume)")
  Path tokenizer;
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper-m (default: the project's"
      + " presets.ar.preset, else " + LmPresets.DEFAULT + ")")
  String preset;
  @Mixin
  TrainingOptions training;

  @Override
  public String name() {
    return "ar train";
  }

  @Override
  public String summary() {
    return "train the autoregressive Transformer baseline (next-token prediction) to compare with CALM";
  }

  @Override
  public String description() {
    return summary() + """


        Same backbone code, presets (tiny, laptop, paper-m; default laptop), tokenizer and corpus split as
        'calm lm train', so the two compare like for like: pass the tokenizer of the CALM run (e.g. its autoencoder
        folder). The context is context_chunks x 4 tokens, CALM's context at K = 4; for a CALM model with another K
        set context_chunks to P*K/4. Held-out cross-entropy, perplexity and BrierLM (two sampled 4-token
        continuations per position, with the exact Brier-1 beside it) go to DIR/metrics.jsonl every eval_every
        steps. A checkpoint is saved every checkpoint_every seconds, at the end, and on Ctrl-C or SIGTERM;
        --resume continues it exactly. Keys for --set:\s""" + String.join(", ", ArTraining.settableKeys().stream()
        .map(s -> s.key()).toList());
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    StageSettings settings = training.settings(LmPresets.DEFAULT, "ar", ArTraining.settableKeys(), Set.of(), preset);
    ArTraining.Options o = new ArTraining.Options(
        tokenizer,
        training.corpus(),
        training.out("ar"),
        settings.preset(),
        settings.sets(),
        training.steps(),
        training.timeLimit,
        training.seed,
        training.resume);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ar train", new String[] {"token_accuracy"},
        new String[] {"valid_ce", "brier_lm"});
    output.finish(ArTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
