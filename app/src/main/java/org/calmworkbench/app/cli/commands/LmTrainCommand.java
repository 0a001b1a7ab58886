package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Set;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.StageSettings;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.LmTraining;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm lm train}: the CALM language model with the energy loss, on a frozen autoencoder. */
public final class LmTrainCommand implements Command {
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "the frozen autoencoder checkpoint (not needed with --resume)")
  Path autoencoder;
  @Option(names = "--head", paramLabel = "energy|flow|diffusion", description = "generative head (default: the project's"
      + " presets.lm.head, else energy; with --resume, the checkpoint's)")
  String head;
  @Option(names = "--input", paramLabel = "discrete|latent|both", description = "what the Transformer reads per step"
      + " (default: the project's presets.lm.input_mode, else discrete)")
  String input;
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper-m (default: the project's"
      + " presets.lm.preset, else " + LmPresets.DEFAULT + ")")
  String preset;
  @Option(names = "--init-backbone", paramLabel = "DIR", description = "experiment: start the backbone from an AR baseline checkpoint of the same shape")
  Path initBackbone;
  @Mixin
  TrainingOptions training;

  @Override
  public String name() {
    return "lm train";
  }

  @Override
  public String summary() {
    return "train the CALM language model (next-vector prediction with an energy, flow or diffusion head)";
  }

  @Override
  public String description() {
    return summary() + """


        The autoencoder (from 'calm ae train') is frozen; its tokenizer, K and latent size are used. BrierLM and
        the head's held-out loss are measured every eval_every steps into DIR/metrics.jsonl. --input selects what
        the Transformer reads: the previous chunk's tokens (discrete, the paper's choice), its latent vector, or
        both. --head selects the generative head: energy (the paper's, trained with the energy score),
        flow (rectified flow, sampled with flow_steps Euler/midpoint steps) or diffusion (cosine-schedule epsilon
        prediction, sampled with diffusion_steps ancestral or DDIM steps); docs/HEADS.md. A head refuses another
        head's keys.
        Keys for --set:\s""" + String.join(", ", LmTraining.settableKeys().stream().map(s -> s.key()).toList());
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    StageSettings settings = training.settings(LmPresets.DEFAULT, "lm", LmTraining.settableKeys(),
            Set.of("input_mode", "head"), preset)
        .withChoice("input_mode", input)
        .withChoice("head", head);
    LmTraining.Options o = new LmTraining.Options(
        autoencoder,
        training.corpus(),
        training.out("lm"),
        settings.choice("head", null),
        InputMode.parse(settings.choice("input_mode", InputMode.DISCRETE.key())),
        settings.preset(),
        settings.sets(),
        training.steps(),
        training.timeLimit,
        training.seed,
        training.resume,
        initBackbone);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "lm train", new String[] {},
        new String[] {"valid_energy_loss", "energy_marginal", "context_gain", "on_manifold", "valid_flow_loss", "valid_diffusion_loss", "brier_lm"});
    output.finish(LmTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
