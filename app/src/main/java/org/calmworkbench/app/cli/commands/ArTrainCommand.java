package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.ArTraining;
import picocli.CommandLine.Option;

/** {@code calm ar train}: the autoregressive Transformer baseline; Ctrl-C saves a checkpoint that --resume continues. */
public final class ArTrainCommand implements Command {
  @Option(names = "--tokenizer", paramLabel = "DIR", description = "a tokenizer.json or a folder holding one (not needed with --resume)")
  Path tokenizer;
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", required = true, description = "text files, folders or JSONL files")
  List<Path> corpus;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "checkpoint folder")
  Path out;
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper-m")
  String preset = LmPresets.DEFAULT;
  @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "override a model, training or LM setting (repeatable)")
  List<String> set;
  @Option(names = "--eval-every", paramLabel = "N", description = "steps between held-out evaluations (same as --set eval_every=N)")
  Integer evalEvery;
  @Option(names = "--steps", paramLabel = "N", description = "training steps (overrides the preset)")
  Integer steps;
  @Option(names = "--time-limit", paramLabel = "SECONDS", description = "stop after this much training time")
  Double timeLimit;
  @Option(names = "--seed", paramLabel = "N", description = "random seed")
  Long seed;
  @Option(names = "--resume", description = "continue the checkpoint in --out")
  boolean resume;

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
    List<String> sets = new ArrayList<>(set == null ? List.of() : set);
    if (evalEvery != null) {
      sets.add("eval_every=" + Ranges.check("eval-every", evalEvery, 1, Integer.MAX_VALUE));
    }
    ArTraining.Options o = new ArTraining.Options(
        tokenizer,
        corpus,
        out,
        preset,
        sets,
        Ranges.check("steps", steps, 0, Integer.MAX_VALUE),
        timeLimit,
        seed,
        resume);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ar train", new String[] {"token_accuracy"},
        new String[] {"valid_ce", "brier_lm"});
    output.finish(ArTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
