package org.calmworkbench.app.cli.commands;

import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.ArTraining;

/** {@code calm ar train}: the autoregressive Transformer baseline; Ctrl-C saves a checkpoint that --resume continues. */
public final class ArTrainCommand implements Command {
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
  public List<Option> options() {
    return List.of(
        Option.value("tokenizer", "DIR", "a tokenizer.json or a folder holding one (not needed with --resume)"),
        Option.list("corpus", "PATH", "text files, folders or JSONL files").required(),
        Option.value("out", "DIR", "checkpoint folder").required(),
        Option.value("preset", "NAME", "tiny, laptop or paper-m").withDefault(LmPresets.DEFAULT),
        Option.list("set", "KEY=VALUE", "override a model, training or LM setting (repeatable)"),
        Option.value("eval-every", "N", "steps between held-out evaluations (same as --set eval_every=N)"),
        Option.value("steps", "N", "training steps (overrides the preset)"),
        Option.value("time-limit", "SECONDS", "stop after this much training time"),
        Option.value("seed", "N", "random seed"),
        Option.flag("resume", "continue the checkpoint in --out"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    List<String> sets = new ArrayList<>(args.has("set") ? args.list("set") : List.of());
    if (args.has("eval-every")) {
      sets.add("eval_every=" + args.integer("eval-every", 1, Integer.MAX_VALUE));
    }
    ArTraining.Options o = new ArTraining.Options(
        args.has("tokenizer") ? args.path("tokenizer") : null,
        args.paths("corpus"),
        args.path("out"),
        args.string("preset"),
        sets,
        args.has("steps") ? args.integer("steps", 0, Integer.MAX_VALUE) : null,
        args.has("time-limit") ? args.number("time-limit") : null,
        args.has("seed") ? args.longValue("seed") : null,
        args.flag("resume"));
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ar train", new String[] {"token_accuracy"},
        new String[] {"valid_ce", "brier_lm"});
    output.finish(ArTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
