package org.calmworkbench.app.cli.commands;

import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.workflow.AeTraining;

/** {@code calm ae train}: trains the CALM autoencoder; Ctrl-C saves a checkpoint that --resume continues. */
public final class AeTrainCommand implements Command {
  @Override
  public String name() {
    return "ae train";
  }

  @Override
  public String summary() {
    return "train the CALM autoencoder (K tokens <-> one latent vector)";
  }

  @Override
  public String description() {
    return summary() + """


        Without --tokenizer, a byte-level BPE tokenizer (--vocab-size, default 1024) is trained on the corpus
        first. Settings come from the preset (tiny, laptop, paper; default laptop), then --set key=value.
        A checkpoint is saved every checkpoint_every seconds, at the end, and on Ctrl-C or SIGTERM;
        --resume continues it exactly. Keys for --set:\s""" + String.join(", ", AeTraining.settableKeys().stream()
        .map(s -> s.key()).toList());
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.list("corpus", "PATH", "text files, folders or JSONL files").required(),
        Option.value("out", "DIR", "checkpoint folder").required(),
        Option.value("tokenizer", "DIR", "a tokenizer.json (or its folder) to use instead of training one"),
        Option.value("vocab-size", "N", "vocabulary of the tokenizer trained when --tokenizer is absent")
            .withDefault(AeTraining.DEFAULT_VOCAB_SIZE),
        Option.value("preset", "NAME", "tiny, laptop or paper").withDefault(AePresets.DEFAULT),
        Option.list("set", "KEY=VALUE", "override a model or training setting (repeatable)"),
        Option.value("steps", "N", "training steps (overrides the preset)"),
        Option.value("time-limit", "SECONDS", "stop after this much training time"),
        Option.value("seed", "N", "random seed"),
        Option.flag("resume", "continue the checkpoint in --out"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    AeTraining.Options o = new AeTraining.Options(
        args.paths("corpus"),
        args.path("out"),
        args.has("tokenizer") ? args.path("tokenizer") : null,
        args.integer("vocab-size", 258, 1 << 20),
        args.string("preset"),
        args.has("set") ? args.list("set") : List.of(),
        args.has("steps") ? args.integer("steps", 0, Integer.MAX_VALUE) : null,
        args.has("time-limit") ? args.number("time-limit") : null,
        args.has("seed") ? args.longValue("seed") : null,
        args.flag("resume"));
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ae train", new String[] {"token_accuracy"},
        new String[] {"valid_token_accuracy"});
    output.finish(AeTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
