package org.calmworkbench.app.cli.commands;

import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.LmTraining;

/** {@code calm lm train}: the CALM language model with the energy loss, on a frozen autoencoder. */
public final class LmTrainCommand implements Command {
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
  public List<Option> options() {
    return List.of(
        Option.value("autoencoder", "DIR", "the frozen autoencoder checkpoint (not needed with --resume)"),
        Option.list("corpus", "PATH", "text files, folders or JSONL files").required(),
        Option.value("out", "DIR", "checkpoint folder").required(),
        Option.value("head", "energy|flow|diffusion", "generative head (default energy; with --resume, the checkpoint's)"),
        Option.value("input", "discrete|latent|both", "what the Transformer reads per step").withDefault("discrete"),
        Option.value("preset", "NAME", "tiny, laptop or paper-m").withDefault(LmPresets.DEFAULT),
        Option.list("set", "KEY=VALUE", "override a model, training or LM setting (repeatable)"),
        Option.value("eval-every", "N", "steps between BrierLM evaluations (same as --set eval_every=N)"),
        Option.value("steps", "N", "training steps (overrides the preset)"),
        Option.value("time-limit", "SECONDS", "stop after this much training time"),
        Option.value("seed", "N", "random seed"),
        Option.flag("resume", "continue the checkpoint in --out"),
        Option.value("init-backbone", "DIR", "experiment: start the backbone from an AR baseline checkpoint of the same shape"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    List<String> sets = new java.util.ArrayList<>(args.has("set") ? args.list("set") : List.of());
    if (args.has("eval-every")) {
      sets.add("eval_every=" + args.integer("eval-every", 1, Integer.MAX_VALUE));
    }
    LmTraining.Options o = new LmTraining.Options(
        args.has("autoencoder") ? args.path("autoencoder") : null,
        args.paths("corpus"),
        args.path("out"),
        args.has("head") ? args.string("head") : null,
        InputMode.parse(args.string("input")),
        args.string("preset"),
        sets,
        args.has("steps") ? args.integer("steps", 0, Integer.MAX_VALUE) : null,
        args.has("time-limit") ? args.number("time-limit") : null,
        args.has("seed") ? args.longValue("seed") : null,
        args.flag("resume"),
        args.has("init-backbone") ? args.path("init-backbone") : null);
    Cancellation stop = ctx.cancellation();
    TrainingOutput output = new TrainingOutput(ctx, "lm train", new String[] {},
        new String[] {"valid_energy_loss", "energy_marginal", "context_gain", "on_manifold", "valid_flow_loss", "valid_diffusion_loss", "brier_lm"});
    output.finish(LmTraining.run(o, output, stop::isCancelled), stop);
    return 0;
  }
}
