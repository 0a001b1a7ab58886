package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.train.CheckpointConverter;

/** {@code calm convert}: an official (or any loadable) checkpoint folder in the workbench's own format. */
public final class ConvertCommand implements Command {
  @Override
  public String name() {
    return "convert";
  }

  @Override
  public String summary() {
    return "write an official CALM or autoencoder checkpoint folder in the workbench's format";
  }

  @Override
  public String description() {
    return summary() + """


        --from takes a folder of the official code (config.json with model_type "autoencoder", "energy", "flow" or
        "diffusion"; pytorch_model.bin or model.safetensors) or of the workbench. The pickle in pytorch_model.bin is
        read without running anything; a file that names any other global than a state dict needs is refused.
        --out gets config.json, float32 model.safetensors, tokenizer.json (from --tokenizer, else the source's) and,
        for a CALM model, its frozen autoencoder in autoencoder/ (found as 'inspect forward' describes).""";
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.value("from", "DIR", "the checkpoint folder to convert").required(),
        Option.value("out", "DIR", "where the converted checkpoint goes (must not hold one)").required(),
        Option.value("tokenizer", "DIR", "tokenizer.json (or its folder) to include; official folders ship without"),
        Option.value("autoencoder", "DIR", "a CALM model's frozen autoencoder (default: found beside it)"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path out = args.path("out");
    CheckpointConverter.Result r = CheckpointConverter.convert(args.path("from"), out,
        args.has("tokenizer") ? args.path("tokenizer") : null, args.has("autoencoder") ? args.path("autoencoder") : null);
    ctx.out().println("wrote " + r.modelType().key() + " checkpoint " + out);
    if (!r.autoencoderOrigin().isEmpty()) {
      ctx.out().println("  autoencoder from " + r.autoencoderOrigin() + " -> " + out.resolve("autoencoder"));
    }
    if (!r.hasTokenizer()) {
      ctx.out().println("  no tokenizer.json: text commands need one (pass --tokenizer DIR)");
    }
    ctx.put("checkpoint", out.toAbsolutePath().toString());
    ctx.put("model_type", r.modelType().key());
    ctx.put("autoencoder_origin", r.autoencoderOrigin());
    ctx.put("tokenizer", r.hasTokenizer());
    return 0;
  }
}
