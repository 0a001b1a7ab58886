package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.workflow.AeTraining;
import picocli.CommandLine.Option;

/** {@code calm ae train}: trains the CALM autoencoder; Ctrl-C saves a checkpoint that --resume continues. */
public final class AeTrainCommand implements Command {
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", required = true, description = "text files, folders or JSONL files")
  List<Path> corpus;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "checkpoint folder")
  Path out;
  @Option(names = "--tokenizer", paramLabel = "DIR", description = "a tokenizer.json (or its folder) to use instead of training one")
  Path tokenizer;
  @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary of the tokenizer trained when --tokenizer is absent")
  Integer vocabSize = AeTraining.DEFAULT_VOCAB_SIZE;
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper")
  String preset = AePresets.DEFAULT;
  @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "override a model or training setting (repeatable)")
  List<String> set;
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
  public int run(CliContext ctx) throws Exception {
    AeTraining.Options o = new AeTraining.Options(
        corpus,
        out,
        tokenizer,
        Ranges.check("vocab-size", vocabSize, 258, 1 << 20),
        preset,
        set == null ? List.of() : set,
        Ranges.check("steps", steps, 0, Integer.MAX_VALUE),
        timeLimit,
        seed,
        resume);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ae train", new String[] {"token_accuracy"},
        new String[] {"valid_token_accuracy"});
    output.finish(AeTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
