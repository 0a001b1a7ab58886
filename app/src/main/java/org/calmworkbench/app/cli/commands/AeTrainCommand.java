package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Set;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.workflow.AeTraining;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm ae train}: trains the CALM autoencoder; Ctrl-C saves a checkpoint that --resume continues. */
public final class AeTrainCommand implements Command {
  @Option(names = "--tokenizer", paramLabel = "DIR", description = "a tokenizer.json (or its folder) to use instead of training one")
  Path tokenizer;
  @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary of the tokenizer trained when --tokenizer is"
      + " absent (default: the project's presets.tokenizer.vocab_size, else " + AeTraining.DEFAULT_VOCAB_SIZE + ")")
  Integer vocabSize;
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper (default: the project's"
      + " presets.autoencoder.preset, else " + AePresets.DEFAULT + ")")
  String preset;
  @Mixin
  TrainingOptions training;

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
    StageSettings settings = training.settings(AePresets.DEFAULT, "autoencoder", AeTraining.settableKeys(), Set.of(), preset);
    AeTraining.Options o = new AeTraining.Options(
        training.corpus(),
        training.out("ae"),
        tokenizer,
        AeTraining.vocabSize(training.settingsProject(), Ranges.check("vocab-size", vocabSize, 258, 1 << 20)),
        settings.preset(),
        settings.sets(),
        training.steps(),
        training.timeLimit,
        training.seed,
        training.resume);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "ae train", new String[] {"token_accuracy"},
        new String[] {"valid_token_accuracy"});
    output.finish(AeTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
