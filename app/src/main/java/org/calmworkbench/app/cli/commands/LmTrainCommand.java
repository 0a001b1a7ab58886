package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.LmTraining;
import picocli.CommandLine.Option;

/** {@code calm lm train}: the CALM language model with the energy loss, on a frozen autoencoder. */
public final class LmTrainCommand implements Command {
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "the frozen autoencoder checkpoint (not needed with --resume)")
  Path autoencoder;
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", required = true, description = "text files, folders or JSONL files")
  List<Path> corpus;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "checkpoint folder")
  Path out;
  @Option(names = "--head", paramLabel = "energy|flow|diffusion", description = "generative head (default energy; with --resume, the checkpoint's)")
  String head;
  @Option(names = "--input", paramLabel = "discrete|latent|both", description = "what the Transformer reads per step")
  String input = "discrete";
  @Option(names = "--preset", paramLabel = "NAME", description = "tiny, laptop or paper-m")
  String preset = LmPresets.DEFAULT;
  @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "override a model, training or LM setting (repeatable)")
  List<String> set;
  @Option(names = "--eval-every", paramLabel = "N", description = "steps between BrierLM evaluations (same as --set eval_every=N)")
  Integer evalEvery;
  @Option(names = "--steps", paramLabel = "N", description = "training steps (overrides the preset)")
  Integer steps;
  @Option(names = "--time-limit", paramLabel = "SECONDS", description = "stop after this much training time")
  Double timeLimit;
  @Option(names = "--seed", paramLabel = "N", description = "random seed")
  Long seed;
  @Option(names = "--resume", description = "continue the checkpoint in --out")
  boolean resume;
  @Option(names = "--init-backbone", paramLabel = "DIR", description = "experiment: start the backbone from an AR baseline checkpoint of the same shape")
  Path initBackbone;

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
    List<String> sets = new java.util.ArrayList<>(set == null ? List.of() : set);
    if (evalEvery != null) {
      sets.add("eval_every=" + Ranges.check("eval-every", evalEvery, 1, Integer.MAX_VALUE));
    }
    LmTraining.Options o = new LmTraining.Options(
        autoencoder,
        corpus,
        out,
        head,
        InputMode.parse(input),
        preset,
        sets,
        Ranges.check("steps", steps, 0, Integer.MAX_VALUE),
        timeLimit,
        seed,
        resume,
        initBackbone);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "lm train", new String[] {},
        new String[] {"valid_energy_loss", "energy_marginal", "context_gain", "on_manifold", "valid_flow_loss", "valid_diffusion_loss", "brier_lm"});
    output.finish(LmTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
